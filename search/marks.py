"""Marks on passages: the barriers, enablers and approaches each passage is evidence for.

A passage (an excerpt window, with the windows merged into it) is marked with the subject items
of the live claims evidenced by its excerpt, in cases the filters allow. A claim whose evidence
has a span in the excerpt (`EVIDENCED_BY.start/end`) marks only the passages that overlap it.
"""

from __future__ import annotations

from typing import Any

from spreadgraph.search.results import ItemMark, SearchResult

#: The item labels a passage is marked with.
MARKED = ("Barrier", "Enabler", "Approach")


def marks_query(case_predicate: str) -> str:
    """Per passage group (`$groups`: {key, ids}), the items its windows' excerpts evidence."""
    labels = " OR ".join(f"n:{label}" for label in MARKED)
    return f"""
UNWIND $groups AS grp
MATCH (u:Sentence)-[:IN_EXCERPT]->(e:Excerpt) WHERE u.id IN grp.ids
WITH grp.key AS key, e, min(u.window_start) AS lo, max(u.window_end) AS hi
MATCH (c:Case)-[:MAKES]->(cl:Claim)-[ev:EVIDENCED_BY]->(e)
WHERE cl.status <> 'rejected' AND {case_predicate}
  AND (ev.start IS NULL OR lo IS NULL OR (ev.start < hi AND ev.end > lo))
MATCH (cl)-[:SUBJECT]->(n) WHERE {labels}
WITH key, n, max(CASE cl.status WHEN 'confirmed' THEN 1 ELSE 0 END) AS confirmed
ORDER BY confirmed DESC, n.name
RETURN key, collect({{kind: toLower(labels(n)[0]), id: n.id, name: n.name,
                     status: CASE confirmed WHEN 1 THEN 'confirmed' ELSE 'suggested' END}}) AS items
"""


def mark_groups(results: list[SearchResult]) -> list[dict[str, Any]]:
    """The statement's `$groups`: each passage's window and the windows merged into it."""
    return [{"key": r.id, "ids": [r.id, *r.merged]} for r in results if r.kind == "excerpt"]


def apply_marks(results: list[SearchResult], rows: list[dict[str, Any]]) -> None:
    """Set each passage's `about` from the statement's rows."""
    found = {row["key"]: row["items"] for row in rows}
    for r in results:
        if r.kind == "excerpt":
            r.about = [ItemMark(**item) for item in found.get(r.id, [])]
