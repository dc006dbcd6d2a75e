"""Sentence splitting keeps spans that index the document text."""

from __future__ import annotations

from pathlib import Path

import pytest
from spreadgraph.ingest.documents.parsing import parse_document
from spreadgraph.search.sentences import document_sentences, split_spans

DOC = """# Rolling out the falls clinic

## What we did

The trust introduced a weekly falls huddle for ward managers in 2021. A peer mentoring scheme was \
set up in the second year, e.g. pairing new nurses with experienced colleagues. Dr. Okafor trained \
the physiotherapists to run the screening tool.

## Barriers

The lack of protected time for nurses got in the way of screening. Staff turnover was a major \
barrier on the older wards. It did not help that the referral form changed twice.

## References

Smith J. A paper about falls clinics that nobody should extract from. Journal of Falls. 2020.
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("extraction") / "falls.md"
    path.write_text(DOC, encoding="utf-8")
    return parse_document(path)


def test_split_spans_round_trip() -> None:
    text = 'First point here. "Second one," she said! Third?\n- a bullet line\n- another bullet'
    spans = split_spans(text, offset=10)
    pieces = [text[s - 10 : e - 10] for s, e in spans]
    assert pieces == [
        "First point here.",
        '"Second one," she said!',
        "Third?",
        "a bullet line",
        "another bullet",
    ]


def test_abbreviations_and_initials_do_not_split() -> None:
    text = "Dr. Okafor met J. Smith, e.g. at the hub. Then they left."
    assert len(split_spans(text)) == 2


def test_long_table_rows_are_cut() -> None:
    row = "; ".join(f"cell number {i} with some words" for i in range(40))
    spans = split_spans(row)
    assert len(spans) > 1
    assert all(e - s <= 700 for s, e in spans)


def test_document_sentences_index_the_text(doc) -> None:
    sentences = document_sentences(doc)
    assert len(sentences) == 6
    for i, s in enumerate(sentences):
        assert s.index == i
        assert doc.text[s.start : s.end] == s.text
    assert sentences[1].text.startswith("A peer mentoring scheme") and "e.g. pairing" in sentences[1].text
    assert sentences[2].text.startswith("Dr. Okafor")
    assert all("nobody should extract" not in s.text for s in sentences)
    assert {s.section for s in sentences} == {"What we did", "Barriers"}
