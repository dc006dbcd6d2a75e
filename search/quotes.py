"""The same words quoted by two sources are one passage, shown where they were first written.

A coded-excerpt export (an analyst's codes on interview quotes) and a case template may quote a
report the graph also holds, word for word. A coded quote linked to its report
(graph/quote_links.py) already shows the report as its source (search/results.py); otherwise,
and when the report's own window is found too, search would show the passage twice.
`fold_quotes` keeps one result per passage, at the better rank of the two: the document's own
window when one of them is a document (the text as first written, with its span), any other
source listed in `also_in`, and the barriers, enablers and approaches both copies evidence listed
once (a person's confirmed code wins over a machine suggestion for the same item).

Two windows of different sources are the same passage when at least `SHARED` of the shorter
one's words appear in both in the same order (difflib's matching blocks over lower-cased word
runs), and the shorter holds at least `MIN_WORDS` words, so that a stock phrase never joins two
passages. Windows of one source are never folded: alike as they may be (a table's rows), they
are different places in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from spreadgraph.search.results import SearchResult

#: Share of the shorter window's words, in order, that makes two windows one passage.
SHARED = 0.8
#: The shorter window must hold this many words.
MIN_WORDS = 8
_WORD = re.compile(r"\w+")


def _words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def same_passage(a: list[str], b: list[str]) -> bool:
    """True when `SHARED` of the shorter word list's words appear in the other, in order."""
    shorter = min(len(a), len(b))
    if shorter < MIN_WORDS or len(set(a) & set(b)) < SHARED * min(len(set(a)), len(set(b))):
        return False
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) >= SHARED * shorter


def _is_document(r: SearchResult) -> bool:
    return r.source is not None and r.source.kind == "document"


def _absorb(home: SearchResult, other: SearchResult) -> None:
    """Fold `other` into `home` (which keeps its place): the document's window becomes the shown
    text, the other source goes to `also_in`, and the evidence marks are united."""
    marks = {(m.kind, m.id): m for m in home.about}
    for m in other.about:
        kept = marks.get((m.kind, m.id))
        if kept is None or (kept.status != "confirmed" and m.status == "confirmed"):
            marks[(m.kind, m.id)] = m
    listed = [home.source, *home.also_in]
    if _is_document(other) and not _is_document(home):
        home.id, home.text, home.source, home.section = other.id, other.text, other.source, other.section
        home.case = other.case or home.case
        home.speaker_role = other.speaker_role or home.speaker_role
        home.merged = list(other.merged)
        listed += other.also_in
    else:
        listed += [other.source, *other.also_in]
    shown = home.source.id if home.source else None
    home.also_in = []
    for source in listed:
        if source is not None and source.id != shown and source.id not in {s.id for s in home.also_in}:
            home.also_in.append(source)
    home.about = list(marks.values())


def fold_quotes(results: Sequence[SearchResult]) -> list[SearchResult]:
    """`results` (hydrated, best first) with each passage quoted by two sources shown once.

    Only copies read from different sources fold (a linked quote was read from its export, which
    it lists in `also_in`): windows of one source are never folded, however alike (a table's rows,
    a repeated sentence), since they are different places in it."""
    kept: list[tuple[SearchResult, list[str], set[str]]] = []
    out: list[SearchResult] = []
    for r in results:
        words = _words(r.text) if r.kind == "excerpt" and r.source is not None else []
        origin = _read_from(r)
        entry = next((e for e in kept if origin not in e[2] and same_passage(words, e[1])), None)
        if entry is not None:
            _absorb(entry[0], r)
            entry[2].add(origin)
            continue
        out.append(r)
        if words:
            kept.append((r, words, {origin}))
    return out


def _read_from(r: SearchResult) -> str:
    """The source a result's window was read from: a linked quote's export, else its source."""
    return r.also_in[0].id if r.also_in else r.source.id if r.source else ""
