"""Read queries behind the overview page: barriers by CFIR 2.0 domain, and the barrier x approach
evidence map.

Only published cases and claims nobody rejected count. Each statement starts from a small,
indexed set (the 5 CFIR domains and their constructs, `Claim.kind` for the link claims, the row
barriers by id) and walks connected patterns, so no statement builds a cartesian product; the
aggregations are linear in the claims they touch.

Counts:

* **per CFIR domain / construct** (a barrier coded to a subconstruct counts for its parent
  construct): `barriers` coded to it (by a `coded_as` claim, `confirmed_barriers` of them
  confirmed by a person, or through the vocabulary concept the barrier is, `IS_CONCEPT` ->
  Concept -[:CODED_AS]->), `coded_evidence`: the cases' coded_as claims with no item (barrier
  evidence an extractor coded to the construct without naming an item), `cases` that met one of
  the barriers or hold such evidence, `claims` (met-barrier and coded-evidence claims) and
  `excerpts` evidencing those claims;
* **evidence map cell** (approach a, barrier b): `cases` whose link claims say a addressed or
  partly addressed b, `not_addressed` cases that say it did not, `claims`, of them `confirmed`
  (a person confirmed it) and `suggested` (extractor only), and the `excerpts` behind them.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver
from spreadgraph.graph.connection import read_tx

ROWS = 12
COLUMNS = 10
MAP_KINDS = ["addressed", "partly_addressed", "did_not_address"]


def _cfir_rollup(group: str, keys: str) -> str:
    """Barriers coded to CFIR constructs (subconstructs roll up to their parent), with the cases
    that met them, and the cases' barrier evidence coded to a construct without an item, grouped by
    `group` (fixed: the domain alone, or the domain and construct)."""
    return f"""
MATCH (d:CfirDomain)<-[:IN_DOMAIN]-(top:CfirConstruct)<-[:PART_OF*0..2]-(k:CfirConstruct)
CALL (k) {{
  MATCH (k)<-[:OBJECT]-(code:Claim {{kind: 'coded_as'}})-[:SUBJECT]->(b:Barrier)
  WHERE code.status <> 'rejected'
    AND EXISTS {{ MATCH (:Case {{status: 'published'}})-[:MAKES]->(code) }}
  RETURN b, CASE WHEN code.status = 'confirmed' THEN 1 ELSE 0 END AS confirmed, null AS evidence
  UNION
  MATCH (k)<-[:CODED_AS]-(:Concept {{kind: 'barrier'}})<-[:IS_CONCEPT]-(b:Barrier)
  WHERE EXISTS {{ MATCH (b)<-[:SUBJECT]-(met:Claim {{kind: 'met_barrier'}})
                        <-[:MAKES]-(:Case {{status: 'published'}})
                  WHERE met.status <> 'rejected' }}
  RETURN b, 0 AS confirmed, null AS evidence
  UNION
  MATCH (k)<-[:OBJECT]-(evidence:Claim {{kind: 'coded_as', finding: 'barrier'}})
  WHERE evidence.status <> 'rejected' AND NOT EXISTS {{ MATCH (evidence)-[:SUBJECT]->() }}
    AND EXISTS {{ MATCH (:Case {{status: 'published'}})-[:MAKES]->(evidence) }}
  RETURN null AS b, 0 AS confirmed, evidence
}}
WITH d, top, b, evidence, max(confirmed) AS confirmed
OPTIONAL MATCH (b)<-[:SUBJECT]-(met:Claim {{kind: 'met_barrier'}})<-[:MAKES]-(c:Case {{status: 'published'}})
WHERE met.status <> 'rejected'
OPTIONAL MATCH (evidence)<-[:MAKES]-(ec:Case {{status: 'published'}})
WITH d, top, b, evidence, confirmed, coalesce(met, evidence) AS claim, coalesce(c, ec) AS c
OPTIONAL MATCH (claim)-[:EVIDENCED_BY]->(ev:Excerpt)
WITH {group}, b, confirmed, claim, c, ev, evidence
RETURN {keys}, count(DISTINCT b) AS barriers,
       count(DISTINCT CASE WHEN confirmed = 1 THEN b END) AS confirmed_barriers,
       count(DISTINCT c) AS cases, count(DISTINCT claim) AS claims, count(DISTINCT ev) AS excerpts,
       count(DISTINCT evidence) AS coded_evidence
"""


CFIR_BY_DOMAIN = _cfir_rollup("d", "d.id AS domain_id, d.number AS number, d.name AS domain")
CFIR_BY_CONSTRUCT = _cfir_rollup("d, top", "d.id AS domain_id, top.id AS construct_id, top.name AS name")
CFIR_DOMAINS = "MATCH (d:CfirDomain) RETURN d.id AS domain_id, d.number AS number, d.name AS domain"
# Barriers met in published cases with no CFIR code at all.
UNCODED = """
MATCH (c:Case {status: 'published'})-[:MAKES]->(met:Claim {kind: 'met_barrier'})-[:SUBJECT]->(b:Barrier)
WHERE met.status <> 'rejected'
  AND NOT EXISTS { MATCH (b)<-[:SUBJECT]-(code:Claim {kind: 'coded_as'})-[:OBJECT]->(:CfirConstruct)
                   WHERE code.status <> 'rejected'
                     AND EXISTS { MATCH (:Case {status: 'published'})-[:MAKES]->(code) } }
  AND NOT EXISTS { MATCH (b)-[:IS_CONCEPT]->(:Concept)-[:CODED_AS]->(:CfirConstruct) }
RETURN count(DISTINCT b) AS barriers, count(DISTINCT c) AS cases
"""

# Rows: the barriers most published cases met.
TOP_BARRIERS = """
MATCH (c:Case {status: 'published'})-[:MAKES]->(met:Claim {kind: 'met_barrier'})-[:SUBJECT]->(b:Barrier)
WHERE met.status <> 'rejected'
WITH b, count(DISTINCT c) AS cases
ORDER BY cases DESC, b.name, b.id LIMIT $limit
RETURN b.id AS id, b.name AS name, cases
"""
# Cells: every approach linked to a row barrier, from the barrier's side (id index).
CELLS = """
UNWIND $barriers AS barrier_id
MATCH (b:Barrier {id: barrier_id})<-[:OBJECT]-(cl:Claim)-[:SUBJECT]->(a:Approach)
WHERE cl.kind IN $kinds AND cl.status <> 'rejected'
MATCH (c:Case {status: 'published'})-[:MAKES]->(cl)
OPTIONAL MATCH (cl)-[:EVIDENCED_BY]->(ev:Excerpt)
RETURN b.id AS barrier_id, a.id AS approach_id, a.name AS approach,
       count(DISTINCT CASE WHEN cl.kind <> 'did_not_address' THEN c END) AS cases,
       count(DISTINCT CASE WHEN cl.kind = 'did_not_address' THEN c END) AS not_addressed,
       count(DISTINCT cl) AS claims,
       count(DISTINCT CASE WHEN cl.status = 'confirmed' THEN cl END) AS confirmed,
       count(DISTINCT CASE WHEN cl.status <> 'confirmed' THEN cl END) AS suggested,
       count(DISTINCT ev) AS excerpts
"""
# Columns beyond the linked approaches: the approaches most published cases used.
TOP_APPROACHES = """
MATCH (c:Case {status: 'published'})-[:MAKES]->(u:Claim {kind: 'used_approach'})-[:SUBJECT]->(a:Approach)
WHERE u.status <> 'rejected'
WITH a, count(DISTINCT c) AS cases
ORDER BY cases DESC, a.name, a.id LIMIT $limit
RETURN a.id AS id, a.name AS name, cases
"""


def barriers_by_cfir(driver: Driver) -> dict[str, Any]:
    """Per CFIR 2.0 domain (all five, zeros included) and per construct with any barrier."""

    def work(tx: Any) -> dict[str, Any]:
        return {
            "domains": tx.run(CFIR_DOMAINS).data(),
            "by_domain": tx.run(CFIR_BY_DOMAIN).data(),
            "by_construct": tx.run(CFIR_BY_CONSTRUCT).data(),
            "uncoded": tx.run(UNCODED).single().data(),
        }

    data = read_tx(work, driver=driver)
    counted = {row["domain_id"]: row for row in data["by_domain"]}
    counts = ("barriers", "confirmed_barriers", "cases", "claims", "excerpts", "coded_evidence")
    zero = dict.fromkeys(counts, 0)
    domains = []
    for d in sorted(data["domains"], key=lambda d: (str(d["number"] or ""), d["domain"] or "")):
        row = {**zero, **d, **counted.get(d["domain_id"], {})}
        row["constructs"] = sorted(
            (c for c in data["by_construct"] if c["domain_id"] == d["domain_id"]),
            key=lambda c: (-c["cases"], -c["barriers"], c["name"] or ""),
        )
        domains.append(row)
    return {"domains": domains, "uncoded": data["uncoded"]}


def evidence_map(driver: Driver, *, rows: int = ROWS, columns: int = COLUMNS) -> dict[str, Any]:
    """The most-met barriers (rows) against the approaches linked to them, filled up with the most
    used approaches (columns), and every non-empty cell's counts."""

    def work(tx: Any) -> dict[str, Any]:
        barriers = tx.run(TOP_BARRIERS, limit=rows).data()
        cells = tx.run(CELLS, barriers=[b["id"] for b in barriers], kinds=MAP_KINDS).data()
        used = tx.run(TOP_APPROACHES, limit=columns).data()
        return {"barriers": barriers, "cells": cells, "used": used}

    data = read_tx(work, driver=driver)
    linked: dict[str, dict[str, Any]] = {}
    for cell in data["cells"]:
        column = linked.setdefault(
            cell["approach_id"], {"id": cell["approach_id"], "name": cell["approach"], "linked": 0}
        )
        column["linked"] += cell["cases"] + cell["not_addressed"]
    approaches = sorted(linked.values(), key=lambda a: (-a["linked"], a["name"] or "", a["id"]))[:columns]
    for a in data["used"]:
        if len(approaches) >= columns:
            break
        if a["id"] not in linked:
            approaches.append({"id": a["id"], "name": a["name"], "linked": 0})
    shown = {a["id"] for a in approaches}
    cells = [
        {k: v for k, v in cell.items() if k != "approach"}
        for cell in data["cells"]
        if cell["approach_id"] in shown
    ]
    return {"barriers": data["barriers"], "approaches": approaches, "cells": cells}
