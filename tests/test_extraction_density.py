"""The item-density cap, the vector cache and the extractor wiring (fake embedder: no model)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from spreadgraph.ingest.documents.parsing import parse_document
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, Extractor, VectorCache
from spreadgraph.ingest.extraction.scoring import Weights, quotas
from spreadgraph.ingest.extraction.selection import grow_windows
from spreadgraph.schema.concepts import concept_for
from spreadgraph.schema.extraction_models import KINDS

from bench.extraction_eval import is_covered

SENTENCES = [
    "The trust introduced a weekly falls huddle for ward managers.",
    "The lack of protected time for nurses got in the way of screening.",
    "Having a respected clinical lead helped win over doubtful colleagues.",
    "The clinic led to fewer repeat admissions after six months.",
    "In hindsight, we should have involved pharmacists from the start.",
    "The mentoring scheme helped to overcome the lack of confidence felt by new recruits.",
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
    extractor = CueEmbeddingExtractor(embedder=fake, vector_store=None)
    assert isinstance(extractor, Extractor)
    result = extractor.run(doc, cache)
    assert 0 < len(result.findings) <= int(25 * result.words / 1000)
    for f in result.findings:
        assert doc.text[f.start : f.end] == f.text
        assert 0.0 <= f.confidence <= 1.0
        assert f.status == "suggested" and f.extractor_version == extractor.version
        assert len(f.name.split()) <= 8
        if f.kind in ("barrier", "enabler", "approach"):  # a concept's name, or none and one code
            concept = concept_for(f.kind, f.name) if f.name else None
            assert (concept is not None and concept.name == f.name) or (not f.name and len(f.codes) == 1)
        else:
            assert f.name
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


def test_windows_grow_within_an_excerpt_and_quotas_count_windows() -> None:
    scores = np.array([0.1, 0.9, 0.8, 0.2, 0.95, 0.85, 0.7, 0.0])
    groups = [0, 0, 0, 0, 1, 1, 1, 2]
    windows = grow_windows(scores, groups, quota=2, extend_share=0.5, max_sentences=3)
    assert len(windows) == 2
    assert [w.rows for w in windows] == [[1, 2], [4, 5]]  # 6 is below the median score
    for w in windows:
        assert len({groups[r] for r in w.rows}) == 1, "a window never crosses excerpts"
        assert w.rows == list(range(w.first, w.last + 1))
    capped = grow_windows(scores, groups, quota=1, extend_share=1.0, max_sentences=1)
    assert [w.rows for w in capped] == [[4]]
    masked = grow_windows(scores, groups, quota=1, eligible=scores < 0.9, max_sentences=1)
    assert [w.rows for w in masked] == [[5]]


def test_extractor_findings_are_windows_of_whole_sentences(doc) -> None:
    fake = FakeEmbedder()
    result = CueEmbeddingExtractor(embedder=fake, vector_store=None).run(doc, VectorCache(fake))
    bounds = {(s.start, s.end) for s in result.sentences}
    starts, ends = {a for a, _ in bounds}, {b for _, b in bounds}
    for f in result.findings:
        assert f.start in starts and f.end in ends
        inside = [s for s in result.sentences if f.start <= s.start and s.end <= f.end]
        assert len(inside) == f.sentences and len({s.excerpt_index for s in inside}) == 1
        assert result.sentences[f.sentence_index] in inside


class NamedFake(FakeEmbedder):
    name = "fake-model-for-tests"


def test_anchor_vectors_come_from_the_store_the_second_time(tmp_path: Path) -> None:
    texts = ["an anchor text", "another anchor text", "a third one"]
    first = NamedFake()
    saved = VectorCache(first).stored(texts, tmp_path)
    assert first.calls == [texts] and len(list(tmp_path.glob("*.npy"))) == 1
    second = NamedFake()
    cache = VectorCache(second)
    loaded = cache.stored(texts, tmp_path)
    assert second.calls == [] and cache.from_store == 3 and cache.encoded == 0
    assert np.allclose(saved, loaded)
    changed = cache.stored([*texts, "a new anchor"], tmp_path)
    assert second.calls == [["a new anchor"]] and changed.shape == (4, 16)
