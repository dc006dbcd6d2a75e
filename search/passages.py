"""Overlapping evidence windows become one passage instead of being thrown away.

Each excerpt unit is a sentence with the window around it (search/units.py), so neighbouring
units share sentences and a query that matches one passage often ranks two or three of its
windows. Showing all of them repeats the same text; dropping all but the best loses what the
others held. `merge_overlaps` keeps the best-ranked window of each overlapping group in its
place and lists the units it absorbed in its `merged` field (only those overlapping it directly,
so a passage grows by at most two sentences each way); `expand_passages` then replaces each such
result's text and span by the union of the windows, read from the graph in one statement.

Measured (docs/benchmarks.md, relevance): dropping the absorbed windows lost the one that held
the answer whenever a neighbouring window ranked a hair higher.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from neo4j import Driver
from spreadgraph.graph.connection import read_rows

if TYPE_CHECKING:
    from spreadgraph.search.results import SearchResult

#: The sentences of every window in each group (a unit with its `NEXT` neighbours), in order.
UNION_WINDOWS = """
UNWIND $groups AS grp
MATCH (u:Sentence) WHERE u.id IN grp.ids
UNWIND [u] + [(u)-[:NEXT]-(n:Sentence) | n] AS s
WITH grp.key AS key, s ORDER BY s.start
WITH key, collect(DISTINCT s) AS sentences
RETURN key, [s IN sentences | s.text] AS texts,
       reduce(lo = null, s IN sentences | CASE WHEN lo IS NULL OR s.start < lo THEN s.start ELSE lo END)
           AS start,
       reduce(hi = null, s IN sentences | CASE WHEN hi IS NULL OR s.end > hi THEN s.end ELSE hi END) AS end
"""


def _span(r: SearchResult) -> tuple[str, str | None, int, int] | None:
    s = r.source
    if r.kind != "excerpt" or s is None or s.start is None or s.end is None:
        return None
    return s.id, s.field, s.start, s.end


def overlaps(a: SearchResult, b: SearchResult) -> bool:
    """Two excerpt windows from the same source (and template field) sharing characters."""
    sa, sb = _span(a), _span(b)
    if sa is None or sb is None or sa[:2] != sb[:2]:
        return False
    return min(sa[3], sb[3]) > max(sa[2], sb[2])


def merge_overlaps(results: Sequence[SearchResult]) -> list[SearchResult]:
    """Results without repeats: each window overlapping a better-ranked one is listed in that
    one's `merged` instead of appearing itself."""
    kept: list[SearchResult] = []
    by_source: dict[tuple[str, str | None], list[SearchResult]] = {}
    for r in results:
        span = _span(r)
        same_source = by_source.setdefault(span[:2], []) if span else []
        home = next((k for k in same_source if overlaps(r, k)), None)
        if home is None:
            kept.append(r)
            same_source.append(r)
        else:
            home.merged.append(r.id)
    return kept


def read_passages(driver: Driver | None, results: Sequence[SearchResult]) -> dict[str, dict[str, Any]]:
    """The union of windows of each result that absorbed neighbours, by result id (one statement)."""
    groups = [{"key": r.id, "ids": [r.id, *r.merged]} for r in results if r.kind == "excerpt" and r.merged]
    if not groups:
        return {}
    return {row["key"]: row for row in read_rows(UNION_WINDOWS, {"groups": groups}, driver=driver)}


def apply_passages(results: Sequence[SearchResult], found: dict[str, dict[str, Any]]) -> None:
    """Give each result in `found` (from :func:`read_passages`) the text and span of its passage."""
    for r in results:
        row = found.get(r.id) if r.kind == "excerpt" else None
        if not row or not row["texts"] or r.source is None:
            continue
        r.text = " ".join(row["texts"])
        if r.source.start is not None and row["start"] is not None:
            start, end = r.source.translate(row["start"], row["end"])
            r.source.start = min(r.source.start, start)
            r.source.end = max(r.source.end or 0, end)


def expand_passages(driver: Driver | None, results: Sequence[SearchResult]) -> None:
    """Give each result that absorbed neighbours the text and span of the whole passage."""
    apply_passages(results, read_passages(driver, results))
