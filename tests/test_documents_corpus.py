"""The five corpus documents (read from ../shared; skipped when absent)."""

from __future__ import annotations

import json

import pytest
from spreadgraph.ingest.documents.parsing import DocumentPipeline
from spreadgraph.ingest.documents.readers import reader_for
from spreadgraph.schema.document_models import ParsedDocument

from bench.excerpt_eval import score_excerpts
from tests.conftest import shared_path

FILES = [
    "000_94095633da63640a.txt",
    "001_ab4c8c8d19656e41.txt",
    "002_c2902d1168a9bae5.txt",
    "003_a6bfc2fa0d36ede4.txt",
    "004_5b3818299aab1315.txt",
]
_CACHE: dict[str, tuple[str, ParsedDocument]] = {}


def parsed(name: str) -> tuple[str, ParsedDocument]:
    if name not in _CACHE:
        path = shared_path("corpus", name)
        raw = reader_for(path).run(path)
        _CACHE[name] = (raw.text, DocumentPipeline().run_raw(raw))
    return _CACHE[name]


@pytest.mark.parametrize("name", FILES)
def test_document_parses_and_spans_round_trip(name: str) -> None:
    raw, doc = parsed(name)
    assert doc.quotes() and doc.sections
    for e in doc.excerpts:
        assert doc.text[e.start : e.end] == e.text
        words = [w for w in e.text.split() if w.isalpha() and len(w) > 3]
        raw_span = raw[e.raw_start : e.raw_end]
        assert words[:1] == [] or (words[0] in raw_span and words[-1] in raw_span)


@pytest.mark.parametrize("name", FILES[1:3])
def test_excerpt_recall_with_role_on_dev_gold(name: str) -> None:
    raw, doc = parsed(name)
    gold = json.loads(shared_path("eval", "dev_extraction", name.replace(".txt", ".json")).read_text())
    score = score_excerpts(doc, raw, gold["documents"][0]["interview_excerpts"])
    assert score.recall_with_role >= 0.90, score.misses
    if score.cased:
        assert score.case_accuracy >= 0.90, score.misses


def test_metadata_of_the_first_pages() -> None:
    meta = parsed(FILES[0])[1].metadata
    assert (meta.year, meta.source_type, meta.authors) == (
        2023,
        "article",
        ["Richard Boulton", "Annette Boaz"],
    )
    assert parsed(FILES[2])[1].metadata.year == 2014
    assert parsed(FILES[3])[1].metadata.source_type == "review"
    assert parsed(FILES[4])[1].metadata.title is None  # the title is missing from this text


def test_multi_case_documents_are_split() -> None:
    keys = lambda n: {c.key for c in parsed(n)[1].cases}  # noqa: E731
    assert len(keys(FILES[2])) == 7
    assert {"coached", "non-coached"} <= keys(FILES[4])
    assert {"phase-1", "phase-2"} <= keys(FILES[0])
    # the review's deep dive is a case, its numbered themes and its method section are not; the
    # rest of the review is the report's own case
    assert keys(FILES[3]) == {"tcam", "document"}
    coached = [q for q in parsed(FILES[4])[1].quotes() if q.attribution and "non-coached" in q.attribution]
    assert coached and all(q.case_key == "non-coached" for q in coached)


def test_cases_name_their_innovation_and_carry_per_site_results() -> None:
    arms = {c.key: c for c in parsed(FILES[4])[1].cases}
    assert arms["coached"].title.endswith("coached arm") and arms["coached"].title != "coached arm"
    assert arms["coached"].innovation and arms["coached"].innovation == arms["non-coached"].innovation
    phases = {c.key: c for c in parsed(FILES[0])[1].cases}
    assert phases["phase-1"].innovation and phases["phase-1"].title != "phase 1"
    doc = parsed(FILES[3])[1]
    (programme,) = [c for c in doc.cases if c.key == "tcam"]
    assert programme.innovation and "(TCAM)" in programme.innovation
    sites = programme.sites
    assert len(sites) >= 10 and len({s.site for s in sites}) == len(sites)
    assert {True, False} == {s.success for s in sites}  # the table states successes and failures
    for s in sites:  # each result's span is its table row in the cleaned text
        assert s.site.split()[-1] in doc.text[s.start : s.end]


def test_boilerplate_contents_and_references_are_gone() -> None:
    assert "Article views" not in parsed(FILES[0])[1].text
    assert "Cooper RG" not in parsed(FILES[3])[1].text
    assert "Executive Summary1" not in parsed(FILES[1])[1].text
