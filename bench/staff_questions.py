"""The frozen staff-language question set (issue 16): questions in bench/staff_questions.json, gold
read from the corpus at run time.

The repository never holds corpus sentences: each question's gold is one or two character spans
``[start, end)`` into ``../shared/corpus/<file>`` with the sha256 of the exact UTF-8 substring. This
module reads the corpus, checks every hash (a changed corpus is an error naming the question id) and
returns :class:`bench.relevance.Query` objects whose gold snippets are those substrings, the shape
:func:`bench.relevance.load_queries` and :func:`bench.relevance.proxy_queries` return.

    from bench.staff_questions import staff_queries, StaffCorpusMissing
    try:
        queries = staff_queries()
    except StaffCorpusMissing as reason:
        print(f"staff set skipped: {reason}")
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from bench.relevance import DEFAULT_CORPUS, Query

ROOT = Path(__file__).resolve().parents[1]
STAFF_QUESTIONS = ROOT / "bench" / "staff_questions.json"
#: The second staff set (documents 000, 003, 004): a selection set, so the first stays unused for choosing.
OTHER_DOCS_QUESTIONS = ROOT / "bench" / "staff_questions_other_docs.json"


class StaffCorpusMissing(RuntimeError):
    """The corpus the spans point into is absent: callers skip the staff set with this reason."""


class StaffGoldMismatch(ValueError):
    """A gold span no longer matches its recorded hash (the corpus file changed)."""


@dataclass(frozen=True)
class Span:
    """One gold span of a question: a character range of a corpus file and its text's sha256."""

    start: int
    end: int
    sha256: str


@dataclass(frozen=True)
class StaffQuestion:
    """A question as stored (no corpus text)."""

    id: str
    query: str
    file: str
    gold: tuple[Span, ...]


def load_questions(path: Path = STAFF_QUESTIONS) -> list[StaffQuestion]:
    """The stored questions, spans unresolved."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        StaffQuestion(
            q["id"],
            q["query"],
            q["file"],
            tuple(Span(int(g["start"]), int(g["end"]), str(g["sha256"])) for g in q["gold"]),
        )
        for q in data["queries"]
    ]


def span_text(text: str, span: Span) -> str:
    """The substring a span points at."""
    return text[span.start : span.end]


def sha256(text: str) -> str:
    """Hex sha256 of a string's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolve(question: StaffQuestion, text: str) -> tuple[str, ...]:
    """The gold snippets of one question, hash-checked against the file's ``text``."""
    snippets = []
    for span in question.gold:
        if not 0 <= span.start < span.end <= len(text):
            raise StaffGoldMismatch(
                f"{question.id}: span [{span.start}, {span.end}) is outside {question.file} "
                f"({len(text)} characters); the corpus changed, re-freeze the staff set"
            )
        snippet = span_text(text, span)
        if sha256(snippet) != span.sha256:
            raise StaffGoldMismatch(
                f"{question.id}: the text at [{span.start}, {span.end}) of {question.file} no longer "
                f"matches its sha256; the corpus changed, re-freeze the staff set"
            )
        snippets.append(snippet)
    return tuple(snippets)


def staff_queries(corpus: Path = DEFAULT_CORPUS, path: Path = STAFF_QUESTIONS) -> list[Query]:
    """The staff set as :class:`Query` objects (gold = the corpus substrings).

    Raises :class:`StaffCorpusMissing` (skip, with the reason) when a corpus file is absent and
    :class:`StaffGoldMismatch` (fail) when one changed.
    """
    questions = load_questions(path)
    texts: dict[str, str] = {}
    for name in sorted({q.file for q in questions}):
        file = corpus / name
        if not file.is_file():
            raise StaffCorpusMissing(f"{file} is absent: the shared corpus is not beside this clone")
        texts[name] = file.read_text(encoding="utf-8")
    return [Query(q.id, q.query, q.file, resolve(q, texts[q.file])) for q in questions]
