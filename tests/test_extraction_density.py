"""The item-density cap, the vector cache and the extractor wiring (fake embedder: no model)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from spreadgraph.ingest.documents.pipeline import parse_document
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, Extractor, VectorCache
from spreadgraph.ingest.extraction.evaluation import is_covered
from spreadgraph.ingest.extraction.models import KINDS
from spreadgraph.ingest.extraction.scoring import Weights, quotas

SENTENCES = [
    "The trust introduced a weekly falls huddle for ward managers.",
    "The lack of protected time for nurses got in the way of screening.",
    "Having a respected clinical lead helped win over doubtful colleagues.",
    "The clinic led to fewer repeat admissions after six months.",
    "In hindsight, we should have involved pharmacists from the start.",
    "The buddy system helped to overcome the isolation felt by new recruits.",
    "The building is next to the railway station and has a car park.",
]


class FakeEmbedder:
    """Deterministic pseudo-random unit vectors; counts what it encodes."""

    dimension = 16

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
            v = np.random.default_rng(seed).normal(size=self.dimension)
            out.append((v / np.linalg.norm(v)).tolist())
        return out


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory):
    paragraphs = [" ".join(SENTENCES[i:] + SENTENCES[:i]) for i in range(len(SENTENCES))]
    path: Path = tmp_path_factory.mktemp("density") / "report.md"
    path.write_text("# Report\n\n## Findings\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return parse_document(path)


@pytest.mark.parametrize("words", [0, 40, 199, 1000, 15_000])
def test_quotas_never_exceed_the_cap(words: int) -> None:
    q = quotas(words, Weights())
    assert sum(q.values()) <= int(25 * words / 1000)
    assert set(q) == set(KINDS)


def test_quotas_scale_down_when_they_sum_above_the_cap() -> None:
    weights = Weights(quotas=tuple((k, 10.0) for k in KINDS), max_per_1000_words=20)
    assert sum(quotas(1000, weights).values()) <= 20


def test_vector_cache_encodes_each_text_once() -> None:
    fake = FakeEmbedder()
    cache = VectorCache(fake)
    first = cache.vectors(["a b", "c d", "a b"])
    second = cache.vectors(["c d", "e f"])
    assert fake.calls == [["a b", "c d"], ["e f"]]
    assert cache.encoded == 3
    assert np.allclose(first[1], second[0])


def test_extractor_respects_density_and_spans(doc) -> None:
    fake = FakeEmbedder()
    cache = VectorCache(fake)
    extractor = CueEmbeddingExtractor(embedder=fake)
    assert isinstance(extractor, Extractor)
    result = extractor.run(doc, cache)
    assert 0 < len(result.findings) <= int(25 * result.words / 1000)
    for f in result.findings:
        assert doc.text[f.start : f.end] == f.text
        assert 0.0 <= f.confidence <= 1.0
        assert f.status == "suggested" and f.extractor_version == extractor.version
        assert f.name and len(f.name.split()) <= 8
    assert any(link.relation == "addressed" for link in result.links)
    encoded_before = cache.encoded
    again = extractor.run(doc, cache)
    assert cache.encoded == encoded_before, "a second run must not encode anything again"
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in result.findings]


def test_coverage_needs_half_of_the_quote() -> None:
    raw = "Alpha beta gamma. Delta epsilon zeta eta theta."
    quote = "Delta epsilon zeta eta theta."
    start = raw.index(quote)
    assert is_covered(raw, quote, [(start, start + 16)])
    assert not is_covered(raw, quote, [(start, start + 10)])
    assert is_covered(raw, quote, [(start, start + 8), (start + 8, start + 16)])
