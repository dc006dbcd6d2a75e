"""Approach -> barrier links between resolved findings, on sentences written for these tests."""

from __future__ import annotations

import pytest
from spreadgraph.ingest.extraction.links import detect_links, relation_cue
from spreadgraph.ingest.extraction.resolution import PhraseIndex
from spreadgraph.schema.concepts import load_concepts
from spreadgraph.schema.extraction_models import Finding, Sentence


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        ("The buddy system helped to overcome the isolation felt by new recruits.", "addressed"),
        ("Weekly huddles did not resolve the tension between the two teams.", "did_not_address"),
        ("The newsletter partly addressed the lack of awareness among GPs.", "partly_addressed"),
        ("Moving the clinic to a new site caused delays for patients.", "caused"),
        ("Despite the workshops, staff resistance remained.", "did_not_address"),
        ("The study days were set up to tackle low confidence.", "addressed"),
    ],
)
def test_relation_cue(text: str, relation: str) -> None:
    found = relation_cue(text)
    assert found is not None and found[0] == relation


def test_no_cue_no_relation() -> None:
    assert relation_cue("Coaching was popular with the reception staff.") is None


def sentence(index: int, text: str, start: int, excerpt: int = 0) -> Sentence:
    return Sentence(index=index, text=text, start=start, end=start + len(text), excerpt_index=excerpt)


def finding(kind: str, name: str, s: Sentence) -> Finding:
    return Finding(
        kind=kind,
        name=name,
        text=s.text,
        start=s.start,
        end=s.end,
        sentence_index=s.index,
        excerpt_index=s.excerpt_index,
        confidence=0.5,
        extractor="test",
        extractor_version="0",
    )


INDEX = PhraseIndex(c for c in load_concepts() if c.kind in ("barrier", "enabler", "approach"))


def test_link_between_concepts_named_in_the_cue_sentence() -> None:
    s = sentence(0, "The training workshops were run to overcome staff resistance on the wards.", 0)
    [link] = detect_links([s], [], INDEX, "test", "0")
    assert (link.relation, link.approach, link.barrier) == (
        "addressed",
        "training sessions",
        "resistance to change",
    )
    assert (link.start, link.end) == (s.start, s.end)


def test_link_between_resolved_findings_in_neighbouring_sentences() -> None:
    a = sentence(0, "Each ward appointed a local lead.", 0)
    b = sentence(1, "This was meant to tackle what had held the wards back.", 40)
    c = sentence(2, "Staff churn on night shifts was the main obstacle.", 100)
    findings = [finding("approach", "developing champions", a), finding("barrier", "staff turnover", c)]
    [link] = detect_links([a, b, c], findings, INDEX, "test", "0")
    assert (link.approach, link.barrier, link.relation) == (
        "developing champions",
        "staff turnover",
        "addressed",
    )
    assert link.sentence_index == 1


def test_no_link_without_a_resolved_end_or_across_excerpts() -> None:
    s = sentence(0, "The nurses addressed the patients warmly after the training workshops.", 0)
    assert detect_links([s], [], INDEX, "test", "0") == []
    a = sentence(0, "Staff churn was high.", 0, excerpt=0)
    b = sentence(1, "The study days were set up to tackle it.", 30, excerpt=1)
    findings = [finding("barrier", "staff turnover", a)]
    assert detect_links([a, b], findings, INDEX, "test", "0") == []
    unnamed = [finding("approach", "", b), finding("barrier", "", b)]
    assert detect_links([b], unnamed, INDEX, "test", "0") == []
