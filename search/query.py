"""Query text handling: empty queries, very long queries and Lucene's special characters.

* An empty (or whitespace/punctuation-only) query is answered with a message, not an error.
* A query longer than :data:`MAX_QUERY_CHARS` is cut at the last word boundary before it and the
  answer says so; MiniLM reads only its first 256 word-pieces anyway.
* The full-text query is built from words only: lower-cased `\\w+` runs minus a short list of
  question and function words (staff ask "How often did ...?"; the English analyzer's own stop
  list does not drop "how", "did", "which"), de-duplicated, at most :data:`MAX_TERMS` of them,
  each escaped, OR-ed (Lucene's default), plus the other forms of irregular verbs ("meet" also
  searches "met": the English analyzer's stemmer cannot relate them). Nothing the user types
  reaches Lucene's syntax, so `AND`, `title:`, `"`, `*`, `~` or an unbalanced bracket are plain
  words or ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spreadgraph.search.inflections import variants

MAX_QUERY_CHARS = 1000
MAX_TERMS = 48
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_TEXT = """a an the of to in and or for on with at by from is are was were be been being it its this that
these those as their they them we our you your i he she his her not no do does did how what which
who whom why when where should can could would will than then there here into about over under
after before more most other some such only own same so too very just any has have had often much many"""
_QUESTION_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class PreparedQuery:
    """The query as searched: text for the embedder, a safe Lucene string, and notes for the user."""

    original_length: int
    text: str
    lucene: str
    truncated: bool

    @property
    def empty(self) -> bool:
        return not self.text

    def notes(self) -> list[str]:
        if self.empty:
            return ["The query is empty: describe your innovation, setting or problem in a few words."]
        out = []
        if self.truncated:
            out.append(
                f"The query was {self.original_length} characters long; only its first "
                f"{len(self.text)} characters were searched."
            )
        if not self.lucene:
            out.append("The query has no searchable words for full-text search; vectors only.")
        return out


def escape_lucene(text: str) -> str:
    """Backslash-escape every Lucene query-syntax character (`+ - ! ( ) { } [ ] ^ " ~ * ? : \\ /`, && ||)."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def truncate(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """`text` cut to at most `limit` characters, at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def content_words(text: str) -> list[str]:
    """The query's own searchable words, lower-cased, in order, each once: every word but the
    question and function words."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in _QUESTION_WORDS and word.strip("_"):
            seen.setdefault(word)
    return list(seen)


def lucene_terms(text: str) -> list[str]:
    """The words a full-text query uses (see module docstring), then the other forms of its
    irregular verbs (search/inflections.py), which a long query's cut drops first."""
    words = content_words(text)
    seen: dict[str, None] = dict.fromkeys(words)
    for word in words:
        for form in variants(word):
            if form not in _QUESTION_WORDS:
                seen.setdefault(form)
    return list(seen)[:MAX_TERMS]


def prepare(query: str | None) -> PreparedQuery:
    """Normalise whitespace, truncate and build the Lucene string; see the module docstring."""
    raw = query or ""
    text = " ".join(raw.split())
    if not _WORD.search(text):
        text = ""
    cut = truncate(text)
    lucene = " ".join(escape_lucene(term) for term in lucene_terms(cut))
    return PreparedQuery(len(raw), cut, lucene, truncated=len(cut) < len(text))
