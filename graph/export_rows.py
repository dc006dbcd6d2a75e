"""Rows of the analysts' export: the case–barrier–approach graph, streamed from Neo4j in id order.

Nodes are cases, barriers, enablers and approaches; edges are claims: a case's met_barrier /
had_enabler / used_approach claim (case -> item) and an approach -> barrier link claim
(addressed, partly_addressed, did_not_address, caused) with the case that makes it. Each edge
carries its evidence references (excerpt id, source id and file name, character span; a template
claim points at its source and `field`, with no excerpt or span), never the text.

Taxonomy codes: an item's `cfir` / `eric` are its confirmed codes (CODED_AS, the vocabulary
concept's codes, confirmed coded_as claims); a case's are its coded_as claims without an item;
an edge's `codes` are its case's coded_as claims on that item. Rejected code claims never count.

Only whitelisted properties are read: nothing private (contributors, revisions, decisions,
reviewers' names and notes, who asserted a claim) and no source text. With `published_only`,
only published cases, claims they make that were not rejected, and items those claims name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j
from neo4j import Driver
from spreadgraph.graph.connection import database

ITEM_LABELS = ("Barrier", "Enabler", "Approach")
CASE_KINDS = ("met_barrier", "had_enabler", "used_approach")
LINK_KINDS = ("addressed", "partly_addressed", "did_not_address", "caused")
NODE_COLUMNS = (
    "id",
    "type",
    "name",
    "status",
    "innovation",
    "innovation_id",
    "setting",
    "country",
    "spread_status",
    "period",
    "description",
    "aliases",
    "cfir",
    "eric",
)
EVIDENCE_KEYS = ("excerpt", "source", "file_name", "start", "end")
EDGE_COLUMNS = (
    "id",
    "source",
    "target",
    "kind",
    "case",
    "status",
    "confidence",
    "method",
    "field",
    "codes",
    "evidence",
)
#: Columns that hold lists (joined with ';' in CSV and GraphML).
LIST_COLUMNS = frozenset(
    {"innovation", "innovation_id", "setting", "country", "aliases", "cfir", "eric", "codes"}
)

_LIVE = "coalesce(cl.status, '') <> 'rejected'"
_IN_SCOPE = f"(NOT $published OR (c.status = 'published' AND {_LIVE}))"

_CASES = """
MATCH (c:Case) WHERE NOT $published OR c.status = 'published'
WITH c ORDER BY c.id
RETURN c.id AS id, 'Case' AS type, c.title AS name, c.status AS status,
       COLLECT { MATCH (c)-[:ABOUT]->(i:Innovation) RETURN i.id + '\\n' + coalesce(i.name, '') }
         AS innovations,
       COLLECT { MATCH (c)-[:IN_CONTEXT]->(x:Context) WHERE x.setting IS NOT NULL RETURN DISTINCT x.setting }
         AS setting,
       COLLECT { MATCH (c)-[:IN_CONTEXT]->(x:Context) WHERE x.country IS NOT NULL RETURN DISTINCT x.country }
         AS country,
       c.spread_status AS spread_status, c.period AS period, null AS description,
       coalesce(c.aliases, []) AS aliases,
       COLLECT { MATCH (c)-[:MAKES]->(cl:Claim {kind: 'coded_as'})-[:OBJECT]->(k:CfirConstruct)
                 WHERE NOT EXISTS { (cl)-[:SUBJECT]->() } AND coalesce(cl.status, '') <> 'rejected'
                 RETURN DISTINCT k.id } AS cfir,
       COLLECT { MATCH (c)-[:MAKES]->(cl:Claim {kind: 'coded_as'})-[:OBJECT]->(k:EricStrategy)
                 WHERE NOT EXISTS { (cl)-[:SUBJECT]->() } AND coalesce(cl.status, '') <> 'rejected'
                 RETURN DISTINCT k.id } AS eric
"""


def _codes(taxonomy: str) -> str:
    """The confirmed codes of item `n` in one taxonomy (labels are fixed, never user input)."""
    return f"""COLLECT {{
         MATCH (n)-[:IS_CONCEPT]->(:Concept)-[:CODED_AS]->(k:{taxonomy}) RETURN k.id AS code
         UNION
         MATCH (n)-[:CODED_AS]->(k:{taxonomy}) WHERE NOT $published RETURN k.id AS code
         UNION
         MATCH (n)<-[:SUBJECT]-(cl:Claim {{kind: 'coded_as', status: 'confirmed'}})-[:OBJECT]->(k:{taxonomy})
         WHERE NOT $published OR EXISTS {{ (cl)<-[:MAKES]-(:Case {{status: 'published'}}) }}
         RETURN k.id AS code }}"""


_ITEMS = {
    label: f"""
MATCH (n:{label})
WHERE NOT $published OR EXISTS {{
  MATCH (n)<-[:SUBJECT|OBJECT]-(cl:Claim)<-[:MAKES]-(c:Case)
  WHERE cl.kind IN $kinds AND c.status = 'published' AND {_LIVE} }}
WITH n ORDER BY n.id
RETURN n.id AS id, '{label}' AS type, n.name AS name, null AS status, [] AS innovations, [] AS setting,
       [] AS country, null AS spread_status, null AS period,
       n.description AS description, coalesce(n.aliases, []) AS aliases,
       {_codes("CfirConstruct")} AS cfir,
       {_codes("EricStrategy")} AS eric
"""
    for label in ITEM_LABELS
}

_EVIDENCE = """COLLECT {
         MATCH (cl)-[r:EVIDENCED_BY]->(ev)
         RETURN CASE WHEN ev:Excerpt THEN
           {excerpt: ev.id, source: head([(ev)-[:FROM]->(s:Source) | s.id]),
            file_name: head([(ev)-[:FROM]->(s:Source) | s.file_name]),
            start: coalesce(r.start, ev.start), end: coalesce(r.end, ev.end)}
         ELSE {excerpt: null, source: ev.id, file_name: ev.file_name, start: null, end: null} END AS ref }"""
_CASE_EDGES = f"""
MATCH (c:Case)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(item)
WHERE cl.kind IN $case_kinds AND (item:Barrier OR item:Enabler OR item:Approach) AND {_IN_SCOPE}
WITH c, cl, item ORDER BY cl.id, c.id, item.id
RETURN cl.id AS id, c.id AS source, item.id AS target, cl.kind AS kind, c.id AS case,
       cl.status AS status, cl.confidence AS confidence, cl.method AS method, cl.field AS field,
       COLLECT {{ MATCH (c)-[:MAKES]->(code:Claim {{kind: 'coded_as'}})-[:SUBJECT]->(item)
                 MATCH (code)-[:OBJECT]->(k) WHERE coalesce(code.status, '') <> 'rejected'
                 RETURN DISTINCT k.id }} AS codes,
       {_EVIDENCE} AS evidence
"""
_LINK_EDGES = f"""
MATCH (a:Approach)<-[:SUBJECT]-(cl:Claim)-[:OBJECT]->(b:Barrier)
WHERE cl.kind IN $link_kinds
OPTIONAL MATCH (c:Case)-[:MAKES]->(cl)
WITH a, cl, b, c WHERE {_IN_SCOPE}
WITH a, cl, b, c ORDER BY cl.id, c.id, a.id, b.id
RETURN cl.id AS id, a.id AS source, b.id AS target, cl.kind AS kind, c.id AS case,
       cl.status AS status, cl.confidence AS confidence, cl.method AS method, cl.field AS field,
       [] AS codes, {_EVIDENCE} AS evidence
"""


def _stream(driver: Driver, statement: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Records of one read statement, as they arrive (the session stays open while iterating)."""
    with driver.session(
        database=database(),
        default_access_mode=neo4j.READ_ACCESS,
        bookmark_manager=driver.execute_query_bookmark_manager,
    ) as session:
        result = session.run(statement, params)
        keys = result.keys()
        for record in result:
            yield dict(zip(keys, record, strict=True))


def _tidy(row: dict[str, Any]) -> dict[str, Any]:
    """Sort the unordered lists so two exports of one graph are identical (aliases keep their order)."""
    if "innovations" in row:  # 'id\nname' pairs, so ids and names stay parallel once sorted
        pairs = [p.split("\n", 1) for p in sorted(row.pop("innovations"))]
        row = {**row, "innovation": [p[1] for p in pairs], "innovation_id": [p[0] for p in pairs]}
    for key in ("setting", "country", "cfir", "eric", "codes"):
        if key in row:
            row[key] = sorted(str(v) for v in row[key] if v is not None)
    if "evidence" in row:
        refs = [{k: ref.get(k) for k in EVIDENCE_KEYS} for ref in row["evidence"]]
        row["evidence"] = sorted(refs, key=lambda r: (r["excerpt"] or "", r["source"] or "", r["start"] or 0))
    return row


def node_rows(driver: Driver, *, published_only: bool = False) -> Iterator[dict[str, Any]]:
    """Cases, then barriers, enablers and approaches, each in id order (columns: NODE_COLUMNS)."""
    params = {"published": published_only, "kinds": [*CASE_KINDS, *LINK_KINDS]}
    for statement in (_CASES, *_ITEMS.values()):
        for row in _stream(driver, statement, params):
            yield _tidy(row)


def edge_rows(driver: Driver, *, published_only: bool = False) -> Iterator[dict[str, Any]]:
    """Case -> item claims, then approach -> barrier links, each in claim id order (EDGE_COLUMNS)."""
    params = {"published": published_only, "case_kinds": list(CASE_KINDS), "link_kinds": list(LINK_KINDS)}
    for statement in (_CASE_EDGES, _LINK_EDGES):
        for row in _stream(driver, statement, params):
            yield _tidy(row)
