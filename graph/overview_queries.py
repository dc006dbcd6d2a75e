"""Read queries behind the overview page: barriers by CFIR 2.0 domain, and the barrier x approach
evidence map.

Only published cases and claims nobody rejected count. Each statement starts from a small,
indexed set (the 5 CFIR domains and their constructs, `Claim.kind` for the link claims, the row
barriers by id) and walks connected patterns, so no statement builds a cartesian product; the
aggregations are linear in the claims they touch.

Counts:

* **per CFIR domain / construct** (a barrier coded to a subconstruct counts for its parent
  construct): `barriers` coded to it (by a `coded_as` claim; `confirmed_barriers` of them
  confirmed by a person), `cases` that met one of them, `claims` (met-barrier claims) and
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
    that met them, grouped by `group` (fixed: the domain alone, or the domain and construct)."""
    return f"""
MATCH (d:CfirDomain)<-[:IN_DOMAIN]-(top:CfirConstruct)<-[:PART_OF*0..2]-(:CfirConstruct)
      <-[:OBJECT]-(code:Claim {{kind: 'coded_as'}})-[:SUBJECT]->(b:Barrier)
WHERE code.status <> 'rejected'
  AND EXISTS {{ MATCH (:Case {{status: 'published'}})-[:MAKES]->(code) }}
WITH d, top, b, max(CASE WHEN code.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed
OPTIONAL MATCH (b)<-[:SUBJECT]-(met:Claim {{kind: 'met_barrier'}})<-[:MAKES]-(c:Case {{status: 'published'}})
WHERE met.status <> 'rejected'
OPTIONAL MATCH (met)-[:EVIDENCED_BY]->(ev:Excerpt)
WITH {group}, b, confirmed, met, c, ev
RETURN {keys}, count(DISTINCT b) AS barriers,
       count(DISTINCT CASE WHEN confirmed = 1 THEN b END) AS confirmed_barriers,
       count(DISTINCT c) AS cases, count(DISTINCT met) AS claims, count(DISTINCT ev) AS excerpts
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
    zero = {"barriers": 0, "confirmed_barriers": 0, "cases": 0, "claims": 0, "excerpts": 0}
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
