"""Writes planned cases (graph/case_rows.py) into the caller's transaction: one UNWIND statement
per kind of row for all the cases at once, whether they are one web-form submission or a folder
of templates. The rows go in the order the cases came, so the graph is the one case-by-case
writes would make; graph/case_writer.py decides which cases may share a write.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.case_links import Cited, link_template_cases
from spreadgraph.graph.case_rows import CasePlan, Resolve
from spreadgraph.graph.item_resolution import ItemResolver, tidy_items
from spreadgraph.schema.model import CLAIM_ENDS

_CASES = """
UNWIND $rows AS row
MERGE (c:Case {id: row.id})
SET c += row.props
MERGE (con:Contributor {id: row.contributor.id})
SET con += row.contributor
CREATE (r:Revision {id: row.id + ':r' + toString(row.props.revision)})
SET r += row.revision
MERGE (c)-[:HAS_REVISION]->(r)
MERGE (r)-[:SUBMITTED_BY]->(con)
MERGE (s:Source {id: row.source.id})
SET s += row.source, s.ingested_at = datetime()
MERGE (c)-[:DESCRIBED_IN]->(s)
SET r.submitted_at = datetime()
WITH c, row
MATCH (i:Innovation {id: row.innovation})
MERGE (c)-[:ABOUT]->(i)
"""
_CITED_NOW = """
UNWIND $ids AS source_id
MATCH (s:Source {id: source_id})
RETURN s.id AS id, s.title AS title, s.url AS url
"""
_CITED = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case})
MERGE (s:Source {id: row.id})
ON CREATE SET s.kind = 'document', s.title = row.title, s.source_type = 'cited'
SET s.url = coalesce(row.url, s.url)
MERGE (c)-[:DESCRIBED_IN]->(s)
"""
_PARTS = {"Context": "IN_CONTEXT", "Adoption": "HAS_ADOPTION"}
# Labels cannot be parameters; each statement is built from the fixed names here and in the schema.
_PART = {
    label: f"""
UNWIND $rows AS row
MATCH (c:Case {{id: row.case}})
CREATE (n:{label} {{id: row.id}})
SET n += row.props
CREATE (c)-[:{rel}]->(n)
"""
    for label, rel in _PARTS.items()
}
_OWNED = {
    label: f"""
UNWIND $rows AS row
CREATE (n:{label} {{id: row.id}})
SET n += row.props
"""
    for label in ("Outcome", "Lesson")
}
_EXCERPTS = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case}), (s:Source {id: row.source})
CREATE (e:Excerpt {id: row.id})
SET e += row.props
CREATE (c)-[:HAS_EXCERPT]->(e)
CREATE (e)-[:FROM]->(s)
"""
_CLAIMS = {
    (subject, obj): f"""
UNWIND $rows AS row
MATCH (c:Case {{id: row.case}}), (s:Source {{id: row.source}})
MATCH (subject:{subject} {{id: row.subject}})
"""
    + (f"MATCH (object:{obj} {{id: row.object}})\n" if obj else "")
    + """CREATE (cl:Claim {id: row.id})
SET cl.kind = row.kind, cl.status = 'confirmed', cl.method = 'template', cl.asserted_by = row.by,
    cl.field = row.field, cl.note = row.note
CREATE (c)-[:MAKES]->(cl)
CREATE (cl)-[:SUBJECT]->(subject)
CREATE (cl)-[:EVIDENCED_BY]->(s)
"""
    + ("CREATE (cl)-[:OBJECT]->(object)\n" if obj else "")
    for subject, obj in CLAIM_ENDS
}


def resolver(tx: ManagedTransaction) -> tuple[ItemResolver, Resolve]:
    """A fresh item resolver (it reads the shared items now) and its `resolve` for plan_case."""
    items = ItemResolver(tx)
    return items, items.resolve


def write_plans(
    tx: ManagedTransaction, plans: list[CasePlan], items: ItemResolver, touched: list[str] | None = None
) -> None:
    """Write the planned cases; `items` resolved their names (in the same order) and `touched` lists
    the shared items a revised case's old claims named (tidied with the new ones)."""
    if not plans:
        return
    items.merge(tx)
    tx.run(_CASES, rows=[p.case for p in plans])
    for label in _PARTS:
        _run_rows(tx, _PART[label], [row for p in plans for row in p.parts.get(label, [])])
    cited_as = _write_cited(tx, plans)
    for label, statement in _OWNED.items():
        _run_rows(tx, statement, [row for p in plans for row in p.owned.get(label, [])])
    _run_rows(tx, _EXCERPTS, [row for p in plans for row in p.excerpts])
    for ends, statement in _CLAIMS.items():
        _run_rows(tx, statement, [row for p in plans for row in p.claims.get(ends, [])])
    tidy_items(tx, sorted(set(touched or []) | {i for p in plans for i in p.items}))
    by_case = {p.case_id: p for p in plans}
    for link in link_template_cases(tx, list(by_case), cited_as):
        if link["target"]:
            by_case[link["case"]].notes.append(
                f"the cited document's case {link['target']} is this case (linked SAME_AS)"
            )


def _run_rows(tx: ManagedTransaction, statement: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        tx.run(statement, rows=rows)


def _write_cited(tx: ManagedTransaction, plans: list[CasePlan]) -> dict[str, Cited]:
    """MERGE the cited Sources; return, per case, their (title, url) right after its own rows, as
    a case-by-case write would have seen them when linking (a later case may set another url)."""
    rows = [row for p in plans for row in p.cited]
    if not rows:
        return {}
    now: Cited = {
        r["id"]: (r["title"], r["url"]) for r in tx.run(_CITED_NOW, ids=sorted({row["id"] for row in rows}))
    }
    tx.run(_CITED, rows=rows)
    seen: dict[str, Cited] = {}
    for plan in plans:
        for row in plan.cited:
            title, url = now.get(row["id"], (row["title"], None))
            now[row["id"]] = (title, row["url"] if row["url"] is not None else url)
        seen[plan.case_id] = {row["id"]: now[row["id"]] for row in plan.cited}
    return seen
