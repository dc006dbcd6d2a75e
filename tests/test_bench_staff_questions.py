"""The frozen staff-language question set (bench/staff_questions.json, issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.relevance import Query, floor_tokens
from bench.scoring import words
from bench.staff_questions import (
    OTHER_DOCS_QUESTIONS,
    STAFF_QUESTIONS,
    Span,
    StaffCorpusMissing,
    StaffGoldMismatch,
    StaffQuestion,
    load_questions,
    resolve,
    sha256,
    staff_queries,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"  # the bench's own path logic (bench.relevance.SHARED)
#: Mean share of a query's content words (the floor's BM25 tokens) found among its gold span's
#: words. The set was written at about 0.08; the proxy set, built from the extraction gold's
#: descriptions, sits far higher. Staff questions must stay paraphrases.
MAX_MEAN_OVERLAP = 0.20
#: Each staff set: its file, its freeze date and the corpus documents (file-name prefixes) it covers.
#: The second set (000, 003, 004) is the selection set; the first (001, 002) stays unused for choosing.
STAFF_SETS = [
    pytest.param(STAFF_QUESTIONS, "2026-12-04", {"001", "002"}, id="first"),
    pytest.param(OTHER_DOCS_QUESTIONS, "2026-12-05", {"000", "003", "004"}, id="other-docs"),
]


def corpus_or_skip() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the shared corpus is not beside this clone")
    return CORPUS


@pytest.mark.parametrize(("path", "frozen", "documents"), STAFF_SETS)
def test_set_shape_and_freeze_note(path: Path, frozen: str, documents: set[str]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "frozen" in data["about"].lower() and frozen in data["about"]
    questions = load_questions(path)
    assert 25 <= len(questions) <= 35
    ids = [q.id for q in questions]
    assert len(set(ids)) == len(ids)
    assert all(q.query.strip() and q.file.endswith(".txt") and 1 <= len(q.gold) <= 2 for q in questions)
    assert {q.file[:3] for q in questions} == documents  # every document of the set


@pytest.mark.parametrize(("path", "frozen", "documents"), STAFF_SETS)
def test_spans_resolve_and_hashes_match(path: Path, frozen: str, documents: set[str]) -> None:
    corpus = corpus_or_skip()
    queries = staff_queries(corpus, path)
    assert all(isinstance(q, Query) for q in queries)
    stored = {q.id: q for q in load_questions(path)}
    for q in queries:
        text = (corpus / q.file).read_text(encoding="utf-8")
        for snippet, span in zip(q.gold, stored[q.id].gold, strict=True):
            assert text[span.start : span.end] == snippet
            assert sha256(snippet) == span.sha256
            assert 8 <= len(words(snippet)) <= 40, (q.id, len(words(snippet)))


def test_a_changed_corpus_names_the_question() -> None:
    question = StaffQuestion("S99", "q", "x.txt", (Span(0, 5, sha256("hello")),))
    assert resolve(question, "hello world") == ("hello",)
    with pytest.raises(StaffGoldMismatch, match="S99"):
        resolve(question, "jello world")
    with pytest.raises(StaffGoldMismatch, match="S99"):
        resolve(question, "hey")


def test_absent_corpus_is_a_skip_reason(tmp_path: Path) -> None:
    with pytest.raises(StaffCorpusMissing, match="absent"):
        staff_queries(tmp_path / "nowhere")


@pytest.mark.parametrize(("path", "frozen", "documents"), STAFF_SETS)
def test_low_lexical_overlap_with_the_gold(path: Path, frozen: str, documents: set[str]) -> None:
    queries = staff_queries(corpus_or_skip(), path)
    shares = []
    for q in queries:
        gold_words = {w for snippet in q.gold for w in words(snippet)}
        tokens = floor_tokens(q.query)
        assert tokens, q.id
        shares.append(sum(t in gold_words for t in tokens) / len(tokens))
    mean = sum(shares) / len(shares)
    assert mean < MAX_MEAN_OVERLAP, f"mean overlap {mean:.3f}"
    assert max(shares) <= 0.5


def test_the_relevance_bench_scores_either_staff_set_when_asked() -> None:
    """`--staff` and `--staff-other` each add their frozen set to the run, under their own name."""
    from bench.relevance import parse_args, query_sets

    corpus = corpus_or_skip()
    notes: list[str] = []
    sets = query_sets(parse_args(["--staff-other", "--corpus", str(corpus)]), notes)
    assert sorted(sets) == ["dev", "staff-other"] and notes == []
    assert {q.file[:3] for q in sets["staff-other"]} == {"000", "003", "004"}
    both = query_sets(parse_args(["--staff", "--staff-other", "--corpus", str(corpus)]), notes)
    assert [q.id for q in both["staff"]] == [q.id for q in staff_queries(corpus)]
    assert len(both["staff-other"]) == len(load_questions(OTHER_DOCS_QUESTIONS))
