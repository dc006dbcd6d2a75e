"""Review of submitted cases: list by state, publish, reject with a reason."""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.graph.connection import read, write

_LIST = """
MATCH (c:Case) WHERE $status IS NULL OR c.status = $status
OPTIONAL MATCH (c)-[:HAS_REVISION]->(r:Revision {number: c.revision})-[:SUBMITTED_BY]->(who:Contributor)
RETURN c.id AS id, c.title AS title, c.status AS status, c.revision AS revision,
       who.name AS submitted_by, toString(r.submitted_at) AS submitted_at
ORDER BY c.id
"""
_SET_STATUS = """
MATCH (c:Case {id: $id})
SET c.status = $status, c.reviewed_by = $reviewer, c.reviewed_at = datetime(), c.review_note = $note
RETURN c.id AS id, c.status AS status
"""


def case_key(value: str) -> str:
    """Accept 'case:slug' or just 'slug'."""
    return value if value.startswith("case:") else f"case:{value}"


def list_cases(status: str | None = "pending", *, driver: Driver | None = None) -> list[dict]:
    """Cases in one review state (all states when status is None), by id."""
    return read(_LIST, {"status": status}, driver=driver)


def set_status(
    case_id: str, status: str, *, reviewer: str, note: str | None = None, driver: Driver | None = None
) -> bool:
    """Publish or reject a case; False when no case has this id."""
    rows = write(
        _SET_STATUS,
        {"id": case_key(case_id), "status": status, "reviewer": reviewer, "note": note},
        driver=driver,
    )
    return bool(rows)
