"""The packaged MiniLM: one text through the traced copy gives the vector a batch gives it."""

from __future__ import annotations

import os

import numpy as np
import pytest
from spreadgraph.search.embedder import Embedder

pytestmark = pytest.mark.slow

TEXTS = [
    "we are about to roll out video physiotherapy for people with back pain",
    "GP partners doubted the evidence",
    "x",
    "Ünïcödé text — with dashes, ‘curly quotes’ and an émigré",
    "a very long query " * 120,  # past the model's 256 tokens: both paths truncate the same way
]


def test_one_text_is_encoded_like_a_batch() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = Embedder("all-MiniLM-L6-v2")
    batch = embedder.encode_array(TEXTS)
    single = np.vstack([embedder.encode_array([text]) for text in TEXTS])
    assert embedder._single, "MiniLM (Transformer, mean Pooling, Normalize) should be traced"
    assert single.shape == batch.shape == (len(TEXTS), 384) and single.dtype == np.float32
    assert np.allclose(np.linalg.norm(single, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(single * batch, axis=1)) > 0.9999
    # different texts still get different vectors (the traced copy is not stuck on its example)
    assert float(single[0] @ single[1]) < 0.9


def test_every_default_embedder_is_the_configured_model(monkeypatch) -> None:
    """Search, ingest and the extractor take the model from SPREADGRAPH_EMBEDDING_MODEL."""
    from spreadgraph.ingest.documents.ingester import DocumentIngester
    from spreadgraph.ingest.extraction import CueEmbeddingExtractor
    from spreadgraph.search.embedder import configured_embedder, naming_embedder
    from spreadgraph.search.retrieval import Searcher

    from spreadgraph.config import get_settings

    monkeypatch.setenv("SPREADGRAPH_EMBEDDING_MODEL", "/models/another-model")
    get_settings.cache_clear()
    try:
        chosen = configured_embedder()
        assert chosen.name == "/models/another-model"
        assert CueEmbeddingExtractor()._cache(None).embedder is chosen
        assert naming_embedder() is chosen  # no adapted model: one model, one cache at ingest
        ingester = DocumentIngester()
        assert ingester.embedder is chosen and ingester.naming_cache is ingester.cache
        assert Searcher(driver=None).embedder is chosen  # type: ignore[arg-type]
    finally:
        monkeypatch.delenv("SPREADGRAPH_EMBEDDING_MODEL")
        get_settings.cache_clear()
    assert configured_embedder().name == "all-MiniLM-L6-v2"
