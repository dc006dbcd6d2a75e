"""The extractor with the real embedding model on a short report written for this test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spreadgraph.ingest.documents.parsing import parse_document
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, VectorCache
from spreadgraph.ingest.extraction.scoring import Weights, score_sentences
from spreadgraph.schema.extraction_models import KINDS
from spreadgraph.search.embedder import Embedder
from spreadgraph.search.sentences import document_sentences

pytestmark = pytest.mark.slow

REPORT = """# Evaluation of the falls clinic

## What we did

The trust introduced a weekly falls huddle for ward managers in 2021. Physiotherapists were trained \
to run a short screening tool with every patient over seventy.

## Barriers

The lack of protected time for nurses got in the way of screening. Staff turnover was a major \
barrier on the older wards, and agency staff did not know the tool.

## Enablers

Having a respected clinical lead helped win over doubtful colleagues. Strong backing from the board \
was key to keeping the clinic open.

## Results and lessons

The clinic led to fewer repeat admissions after six months. In hindsight, we should have involved \
pharmacists from the start.
"""


@pytest.fixture(scope="module")
def extraction(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path: Path = tmp_path_factory.mktemp("model") / "falls.md"
    path.write_text(REPORT, encoding="utf-8")
    doc = parse_document(path)
    cache = VectorCache(Embedder("all-MiniLM-L6-v2"))
    # A 110-word report allows 2 items at 25 per 1,000 words; allow more to see every kind.
    weights = Weights(max_per_1000_words=100, quotas=tuple((k, 20.0) for k in KINDS))
    return doc, cache, CueEmbeddingExtractor(weights=weights).run(doc, cache)


EXPECTED = {
    "weekly falls huddle": {"approach"},
    "were trained": {"approach"},
    "lack of protected time": {"barrier"},
    "Staff turnover": {"barrier"},
    "respected clinical lead": {"enabler"},
    "Strong backing": {"enabler"},
    "fewer repeat admissions": {"outcome"},
    "In hindsight": {"lesson", "barrier"},
}


def test_kinds_on_plain_sentences(extraction) -> None:
    _, _, result = extraction
    assert 5 <= len(result.findings) <= int(100 * result.words / 1000)
    for f in result.findings:
        seed = result.sentences[f.sentence_index].text  # the sentence that scored; f.text is its window
        assert seed in f.text and 1 <= f.sentences <= 4
        expected = next(kinds for fragment, kinds in EXPECTED.items() if fragment in seed)
        assert f.kind in expected, (f.kind, seed)
    assert {f.kind for f in result.findings} >= {"barrier", "enabler", "approach"}


def test_codes_come_from_the_taxonomies(extraction) -> None:
    _, _, result = extraction
    for f in result.findings:
        if f.kind in ("barrier", "enabler"):
            assert f.codes and all(c.scheme == "cfir2" and c.id.startswith("cfir2:") for c in f.codes)
        if f.kind == "approach":
            assert f.codes and all(c.scheme == "eric" and c.id.startswith("eric:") for c in f.codes)
        assert all(-1.0 <= c.similarity <= 1.0 for c in f.codes)


def test_sentence_vectors_are_reused(extraction) -> None:
    _, cache, result = extraction
    assert all(s.text in cache for s in result.sentences)
    before = cache.encoded
    cache.vectors([s.text for s in result.sentences])
    assert cache.encoded == before


# Polarity: the same topic words (time, support, training) in sentences that say opposite things.
POLARITY = """# Notes from a ward pilot

## Staffing

Not having enough time between patients got in the way of the new checks.

## Staffing again

What really helped was the ward manager giving nurses an hour a week for the checks.

## Set-up

We set up a weekly drop-in where nurses could practise the checks with a specialist.

## Support

Without backing from the matron, the checks quietly stopped on two wards.
"""
POLARITY_KIND = {
    "Not having enough time": "barrier",
    "What really helped": "enabler",
    "We set up a weekly drop-in": "approach",
    "Without backing from the matron": "barrier",
}


def test_polarity_cues_pick_the_kind(tmp_path: Path, extraction) -> None:
    _, cache, _ = extraction
    path = tmp_path / "polarity.md"
    path.write_text(POLARITY, encoding="utf-8")
    sentences = document_sentences(parse_document(path))
    assert len(sentences) == len(POLARITY_KIND)
    extractor = CueEmbeddingExtractor(vector_store=None)
    anchors = extractor.anchors()
    rows = score_sentences(
        sentences,
        cache.vectors([s.text for s in sentences]),
        anchors,
        cache.vectors([a.text for a in anchors]),
        extractor.weights,
    )
    for row in rows:
        fragment = next(f for f in POLARITY_KIND if row.sentence.text.startswith(f))
        best = max(("barrier", "enabler", "approach"), key=lambda k: row.scores[k])
        assert best == POLARITY_KIND[fragment], (row.sentence.text, row.scores)
