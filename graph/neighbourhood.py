"""A node's neighbourhood for the small graph view on case, barrier and approach pages.

Each function returns plain data: `nodes` (id, label, name, relation to the centre, cases behind
it) and `edges` (source, target, kind, cases), with the centre first and at most `limit`
neighbours per relation, most-evidenced first; `totals` says how many there were in all, so the
page can say what was left out. Only published cases and claims nobody rejected count. Every
statement starts from the centre node by its id (unique index), so the cost grows with the
node's degree, never with the graph.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver
from spreadgraph.graph.connection import read_tx
from spreadgraph.graph.decisions import case_key
from spreadgraph.graph.pages import LINK_KINDS

LIMIT = 25

_CASE = """
MATCH (c:Case {id: $id}) WHERE c.status = 'published'
RETURN c.id AS id, c.title AS name,
       [(c)-[:ABOUT]->(i:Innovation) | i {.id, .name}] AS innovations,
       [(c)-[:DESCRIBED_IN]->(s:Source) | s {.id, name: coalesce(s.title, s.file_name, s.id)}] AS sources
"""
_CASE_ITEMS = """
MATCH (c:Case {id: $id})-[:MAKES]->(cl:Claim)-[:SUBJECT]->(n)
WHERE cl.kind IN ['met_barrier', 'used_approach'] AND cl.status <> 'rejected'
  AND (n:Barrier OR n:Approach)
RETURN cl.kind AS kind, n.id AS id, n.name AS name, count(cl) AS claims
ORDER BY kind, name
"""
_CASE_LINKS = """
MATCH (c:Case {id: $id})-[:MAKES]->(cl:Claim)-[:SUBJECT]->(a:Approach), (cl)-[:OBJECT]->(b:Barrier)
WHERE cl.kind IN $kinds AND cl.status <> 'rejected'
RETURN DISTINCT a.id AS source, b.id AS target, cl.kind AS kind, 1 AS cases
"""
# Labels cannot be parameters: one statement per label, built from these fixed pairs, so the
# centre is found through its label's unique id index.
_ITEM_CASES = {
    label: f"""
MATCH (n:{label} {{id: $id}})<-[:SUBJECT]-(cl:Claim {{kind: $kind}})<-[:MAKES]-(c:Case)
WHERE cl.status <> 'rejected' AND c.status = 'published'
WITH c, count(cl) AS claims ORDER BY claims DESC, c.title
RETURN count(c) AS total, collect({{id: c.id, name: c.title, claims: claims}})[..$limit] AS rows
"""
    for label in ("Barrier", "Approach")
}
# Approach -> barrier link claims around the item, grouped by the other end and the effect.
_ITEM_LINKS = {
    label: f"""
MATCH (n:{label} {{id: $id}}){arrow}(cl:Claim){back}(other:{other}), (c:Case)-[:MAKES]->(cl)
WHERE cl.kind IN $kinds AND cl.status <> 'rejected' AND c.status = 'published'
WITH other, cl.kind AS kind, count(DISTINCT c) AS cases
ORDER BY cases DESC, other.name
RETURN other.id AS id, other.name AS name, '{other}' AS label, kind, cases
"""
    for label, arrow, back, other in (
        ("Barrier", "<-[:OBJECT]-", "-[:SUBJECT]->", "Approach"),
        ("Approach", "<-[:SUBJECT]-", "-[:OBJECT]->", "Barrier"),
    )
}


def effect(kind: str) -> str:
    """A link claim's kind as words: 'partly_addressed' -> 'partly addressed'."""
    return kind.replace("_", " ")


def _node(node_id: str, label: str, name: str | None, relation: str, cases: int = 0) -> dict[str, Any]:
    return {"id": node_id, "label": label, "name": name or node_id, "relation": relation, "cases": cases}


def _add(out: dict[str, Any], node: dict[str, Any]) -> None:
    if all(n["id"] != node["id"] for n in out["nodes"]):
        out["nodes"].append(node)


def case_neighbourhood(driver: Driver, case_id: str, *, limit: int = LIMIT) -> dict[str, Any] | None:
    """The case, its innovation, sources, barriers met, approaches used and the links between them."""
    case_id = case_key(case_id)

    def work(tx: Any) -> dict[str, Any] | None:
        head = tx.run(_CASE, id=case_id).single()
        if head is None:
            return None
        items = tx.run(_CASE_ITEMS, id=case_id).data()
        links = tx.run(_CASE_LINKS, id=case_id, kinds=LINK_KINDS).data()
        return {"head": head.data(), "items": items, "links": links}

    data = read_tx(work, driver=driver)
    if data is None:
        return None
    head = data["head"]
    out: dict[str, Any] = {"nodes": [_node(head["id"], "Case", head["name"], "centre")], "edges": []}
    totals: dict[str, int] = {}
    for i in head["innovations"][:limit]:
        _add(out, _node(i["id"], "Innovation", i["name"], "about"))
        out["edges"].append({"source": head["id"], "target": i["id"], "kind": "about", "cases": 1})
    totals["about"] = len(head["innovations"])
    relation = {"met_barrier": ("Barrier", "met"), "used_approach": ("Approach", "used")}
    for kind, (label, rel) in relation.items():
        rows = [r for r in data["items"] if r["kind"] == kind]
        totals[rel] = len(rows)
        for r in rows[:limit]:
            _add(out, _node(r["id"], label, r["name"], rel, 1))
            out["edges"].append({"source": head["id"], "target": r["id"], "kind": rel, "cases": 1})
    shown = {n["id"] for n in out["nodes"]}
    for r in data["links"]:
        if r["source"] in shown and r["target"] in shown:
            edge = {"source": r["source"], "target": r["target"], "kind": effect(r["kind"]), "cases": 1}
            out["edges"].append(edge)
    totals["described in"] = len(head["sources"])
    for s in head["sources"][:limit]:
        _add(out, _node(s["id"], "Source", s["name"], "described in"))
        out["edges"].append({"source": head["id"], "target": s["id"], "kind": "described in", "cases": 1})
    out["totals"] = totals
    return out


def item_neighbourhood(
    driver: Driver, label: str, item_id: str, name: str | None, *, limit: int = LIMIT
) -> dict[str, Any]:
    """A barrier (cases that met it, approaches linked to it) or an approach (cases that used it,
    barriers it was linked to), with the link effects and how many cases report each."""
    kind, relation = {"Barrier": ("met_barrier", "met"), "Approach": ("used_approach", "used")}[label]

    def work(tx: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        cases = tx.run(_ITEM_CASES[label], id=item_id, kind=kind, limit=limit).single().data()
        links = tx.run(_ITEM_LINKS[label], id=item_id, kinds=LINK_KINDS).data()
        return cases, links

    cases, links = read_tx(work, driver=driver)
    out: dict[str, Any] = {"nodes": [_node(item_id, label, name, "centre")], "edges": []}
    for c in cases["rows"]:
        _add(out, _node(c["id"], "Case", c["name"], relation, 1))
        out["edges"].append({"source": c["id"], "target": item_id, "kind": relation, "cases": 1})
    others: dict[str, dict[str, Any]] = {}
    for r in links:
        if r["id"] not in others and len(others) >= limit:
            continue
        node = others.setdefault(r["id"], _node(r["id"], r["label"], r["name"], "linked", 0))
        node["cases"] += r["cases"]
        approach, barrier = (r["id"], item_id) if label == "Barrier" else (item_id, r["id"])
        out["edges"].append(
            {"source": approach, "target": barrier, "kind": effect(r["kind"]), "cases": r["cases"]}
        )
    for node in others.values():
        _add(out, node)
    out["totals"] = {relation: cases["total"], "linked": len({r["id"] for r in links})}
    return out
