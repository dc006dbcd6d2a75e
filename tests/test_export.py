"""`spreadgraph export` against the real Neo4j: CSV, JSON lines and GraphML round trips.

The graph is invented here (SETUP): one published and one pending case, claims in every review
state, evidence as excerpts (with and without an extractor's span) and as a template source, and
codes stored every way (CODED_AS, a vocabulary concept, coded_as claims with and without an
item). Private data (a contributor's contact, a revision's template and account, a decision,
reviewers' names and notes) is seeded too, and must never reach an export.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver
from spreadgraph.graph.export_formats import FLAT_EDGE_COLUMNS, export
from spreadgraph.graph.export_rows import NODE_COLUMNS
from typer.testing import CliRunner

from spreadgraph.cli import _register, app

G = "{http://graphml.graphdrawing.org/xmlns}"
PRIVATE = (
    "rita@example.org",
    "Reviewer Rita",
    "private review note",
    "TEMPLATE-JSON",
    "acct-rita",
    "DEC-SECRET",
)
DOC_TEXT = "Nurses had no spare time. Champions got protected time and that helped a lot."

SETUP = """
MATCH (k1:CfirConstruct {id: 'cfir2:I.A'}), (k2:CfirConstruct {id: 'cfir2:I.B'}),
      (k3:CfirConstruct {id: 'cfir2:I.C'}), (k4:CfirConstruct {id: 'cfir2:II.A'}),
      (st:EricStrategy {id: 'eric:1'})
MATCH (concept:Concept {kind: 'barrier'}) WHERE EXISTS { (concept)-[:CODED_AS]->(:CfirConstruct) }
WITH k1, k2, k3, k4, st, concept ORDER BY concept.id LIMIT 1
CREATE (pub:Case {id: 'case:e-pub', title: 'Protected time on wards', status: 'published',
                  spread_status: 'spreading', period: '2019-2021', aliases: ['PTW'],
                  reviewed_by: 'Reviewer Rita', review_note: 'private review note'})
CREATE (pen:Case {id: 'case:e-pending', title: 'Draft: kiosks', status: 'pending'})
CREATE (pub)-[:ABOUT]->(:Innovation {id: 'innovation:e-champions', name: 'Ward champions'})
CREATE (pub)-[:IN_CONTEXT]->(:Context {id: 'ctx:e1', setting: 'acute hospital', country: 'England'})
CREATE (pub)-[:HAS_REVISION]->(r:Revision {id: 'case:e-pub:r1', number: 1, template: 'TEMPLATE-JSON',
                                           account: 'acct-rita'})
CREATE (r)-[:SUBMITTED_BY]->(:Contributor {id: 'contributor:e', name: 'Ed', contact: 'rita@example.org'})
CREATE (pub)-[:HAS_DECISION]->(:Decision {id: 'decision:e1', decision: 'published', by: 'Reviewer Rita',
                                          note: 'DEC-SECRET'})
CREATE (doc:Source {id: 'src:e-doc', kind: 'document', file_name: 'e-doc.txt', text: $text})
CREATE (tpl:Source {id: 'source:template:e-pub', kind: 'template', file_name: 'e-pub.yaml',
                    text: 'TEMPLATE-JSON'})
CREATE (x1:Excerpt {id: 'src:e-doc:0-25', text: 'Nurses had no spare time.', start: 0, end: 25})
CREATE (x2:Excerpt {id: 'src:e-doc:26-78', text: 'Champions got protected time', start: 26, end: 78})
CREATE (x1)-[:FROM]->(doc) CREATE (x2)-[:FROM]->(doc)
CREATE (pub)-[:HAS_EXCERPT]->(x1) CREATE (pub)-[:HAS_EXCERPT]->(x2)
CREATE (b1:Barrier {id: 'barrier:e-time', name: 'No spare time', aliases: ['no time', 'busy']})
CREATE (b2:Barrier {id: 'barrier:e-concept', name: 'Concept barrier'})
CREATE (b3:Barrier {id: 'barrier:e-kiosk', name: 'Kiosks broke'})
CREATE (n1:Enabler {id: 'enabler:e-board', name: 'Board support'})
CREATE (a1:Approach {id: 'approach:e-protected', name: 'Protected time', description: 'time set aside'})
CREATE (b1)-[:CODED_AS]->(k1) CREATE (a1)-[:CODED_AS]->(st) CREATE (b2)-[:IS_CONCEPT]->(concept)
WITH *
UNWIND [
  {id: 'claim:e1', kind: 'met_barrier', case: pub, s: b1, o: null, status: 'confirmed', method: 'template',
   field: 'barriers[1]', ev: tpl},
  {id: 'claim:e2', kind: 'met_barrier', case: pub, s: b2, o: null, status: 'suggested', method: 'extractor',
   confidence: 0.8, ev: x1, start: 7, end: 24},
  {id: 'claim:e3', kind: 'used_approach', case: pub, s: a1, o: null, status: 'confirmed',
   method: 'coded_import', confidence: 1.0, ev: x2},
  {id: 'claim:e4', kind: 'had_enabler', case: pub, s: n1, o: null, status: 'rejected', method: 'extractor',
   ev: x2},
  {id: 'claim:e5', kind: 'addressed', case: pub, s: a1, o: b1, status: 'suggested', method: 'extractor',
   ev: x2},
  {id: 'claim:e6', kind: 'met_barrier', case: pen, s: b3, o: null, status: 'confirmed', method: 'template'},
  {id: 'claim:e7', kind: 'caused', case: pen, s: a1, o: b3, status: 'confirmed', method: 'template'},
  {id: 'claim:e8', kind: 'coded_as', case: pub, s: b1, o: k2, status: 'confirmed', method: 'template'},
  {id: 'claim:e9', kind: 'coded_as', case: pub, s: b1, o: k3, status: 'rejected', method: 'extractor'},
  {id: 'claim:e10', kind: 'coded_as', case: pub, s: null, o: k4, status: 'suggested', method: 'extractor'}
] AS row
WITH row, row.case AS c, row.s AS s, row.o AS o, row.ev AS ev
CREATE (cl:Claim {id: row.id, kind: row.kind, status: row.status, method: row.method, field: row.field,
                  confidence: row.confidence, asserted_by: 'Reviewer Rita'})
CREATE (c)-[:MAKES]->(cl)
FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END | CREATE (cl)-[:SUBJECT]->(s))
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | CREATE (cl)-[:OBJECT]->(o))
FOREACH (_ IN CASE WHEN ev IS NULL THEN [] ELSE [1] END |
  CREATE (cl)-[e:EVIDENCED_BY]->(ev) SET e.start = row.start, e.end = row.end)
WITH count(*) AS claims
MATCH (cl:Claim {id: 'claim:e4'}) SET cl.reviewed_by = 'Reviewer Rita', cl.review_note = 'private review note'
RETURN claims
"""
ALL_NODES = {
    "case:e-pub",
    "case:e-pending",
    "barrier:e-time",
    "barrier:e-concept",
    "barrier:e-kiosk",
    "enabler:e-board",
    "approach:e-protected",
}
ALL_EDGES = {f"claim:e{n}" for n in range(1, 8)}
PUBLISHED_NODES = {"case:e-pub", "barrier:e-time", "barrier:e-concept", "approach:e-protected"}
PUBLISHED_EDGES = {"claim:e1", "claim:e2", "claim:e3", "claim:e5"}


@pytest.fixture(scope="module")
def seeded(migrated: Driver) -> Iterator[Driver]:
    from tests.conftest import wipe_data

    wipe_data(migrated)
    records, _, _ = migrated.execute_query(SETUP, text=DOC_TEXT)
    assert records[0]["claims"] == 10
    yield migrated
    wipe_data(migrated)


def concept_codes(driver: Driver) -> set[str]:
    records, _, _ = driver.execute_query(
        "MATCH (:Barrier {id: 'barrier:e-concept'})-[:IS_CONCEPT]->(:Concept)-[:CODED_AS]->(k:CfirConstruct) "
        "RETURN collect(k.id) AS codes"
    )
    return set(records[0]["codes"])


def existing_excerpts(driver: Driver, ids: set[str]) -> set[str]:
    records, _, _ = driver.execute_query(
        "MATCH (x:Excerpt) WHERE x.id IN $ids RETURN x.id AS id", ids=list(ids)
    )
    return {r["id"] for r in records}


def read_csv(folder: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with (
        (folder / "nodes.csv").open(encoding="utf-8", newline="") as n,
        (folder / "edges.csv").open(encoding="utf-8", newline="") as e,
    ):
        return list(csv.DictReader(n)), list(csv.DictReader(e))


def split(cell: str) -> list[str]:
    return cell.split(";") if cell else []


def assert_no_private(*paths: Path) -> None:
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for secret in PRIVATE:
            assert secret not in text, f"{secret!r} leaked into {path.name}"


def test_csv_round_trip_with_evidence_and_codes(seeded: Driver, tmp_path: Path) -> None:
    result = export(seeded, "csv", tmp_path / "out")
    nodes, edges = read_csv(tmp_path / "out")
    assert list(nodes[0]) == list(NODE_COLUMNS) and list(edges[0]) == list(FLAT_EDGE_COLUMNS)
    assert {n["id"] for n in nodes} == ALL_NODES and result.nodes == len(nodes) == 7
    assert {e["id"] for e in edges} == ALL_EDGES and result.edges == len(edges) == 7
    assert [n["id"] for n in nodes if n["type"] == "Barrier"] == sorted(
        n["id"] for n in nodes if n["type"] == "Barrier"
    )
    by_node = {n["id"]: n for n in nodes}
    pub = by_node["case:e-pub"]
    assert (pub["name"], pub["status"], pub["innovation"], pub["setting"], pub["country"]) == (
        "Protected time on wards",
        "published",
        "Ward champions",
        "acute hospital",
        "England",
    )
    assert pub["cfir"] == "cfir2:II.A"  # the case's own coded evidence
    time = by_node["barrier:e-time"]
    assert split(time["aliases"]) == ["no time", "busy"]
    assert split(time["cfir"]) == [
        "cfir2:I.A",
        "cfir2:I.B",
    ]  # CODED_AS + confirmed claim, not the rejected one
    assert set(split(by_node["barrier:e-concept"]["cfir"])) == concept_codes(seeded) != set()
    assert by_node["approach:e-protected"]["eric"] == "eric:1"

    by_edge = {e["id"]: e for e in edges}
    template = by_edge["claim:e1"]
    assert (template["source"], template["target"], template["kind"], template["status"]) == (
        "case:e-pub",
        "barrier:e-time",
        "met_barrier",
        "confirmed",
    )
    assert template["field"] == "barriers[1]" and template["codes"] == "cfir2:I.B"
    assert (template["evidence_excerpts"], template["evidence_sources"], template["evidence_files"]) == (
        "",
        "source:template:e-pub",
        "e-pub.yaml",
    )
    suggested = by_edge["claim:e2"]
    assert suggested["confidence"] == "0.8" and suggested["status"] == "suggested"
    assert (suggested["evidence_excerpts"], suggested["evidence_starts"], suggested["evidence_ends"]) == (
        "src:e-doc:0-25",
        "7",
        "24",
    )  # the extractor's span, not the whole excerpt
    link = by_edge["claim:e5"]
    assert (link["source"], link["target"], link["case"], link["kind"]) == (
        "approach:e-protected",
        "barrier:e-time",
        "case:e-pub",
        "addressed",
    )
    assert link["evidence_files"] == "e-doc.txt" and (link["evidence_starts"], link["evidence_ends"]) == (
        "26",
        "78",
    )
    assert by_edge["claim:e4"]["status"] == "rejected"
    excerpts = {x for e in edges for x in split(e["evidence_excerpts"]) if x}
    assert excerpts and existing_excerpts(seeded, excerpts) == excerpts
    assert {e["source"] for e in edges} | {e["target"] for e in edges} <= set(by_node)
    assert_no_private(*result.paths)


def test_counts_match_the_graph(seeded: Driver, tmp_path: Path) -> None:
    records, _, _ = seeded.execute_query(
        "MATCH (n) WHERE n:Case OR n:Barrier OR n:Enabler OR n:Approach RETURN count(n) AS nodes, "
        "COUNT { MATCH (:Case)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(:Barrier|Enabler|Approach) "
        "        WHERE cl.kind IN ['met_barrier', 'had_enabler', 'used_approach'] } + "
        "COUNT { MATCH (:Approach)<-[:SUBJECT]-(cl:Claim)-[:OBJECT]->(:Barrier) } AS edges"
    )
    result = export(seeded, "jsonl", tmp_path / "jsonl")
    assert (result.nodes, result.edges) == (records[0]["nodes"], records[0]["edges"])


def test_jsonl_round_trip_and_published_only(seeded: Driver, tmp_path: Path) -> None:
    result = export(seeded, "jsonl", tmp_path / "all")
    edges = [json.loads(line) for line in (tmp_path / "all" / "edges.jsonl").read_text().splitlines()]
    assert {e["id"] for e in edges} == ALL_EDGES
    e2 = next(e for e in edges if e["id"] == "claim:e2")
    assert e2["evidence"] == [
        {"excerpt": "src:e-doc:0-25", "source": "src:e-doc", "file_name": "e-doc.txt", "start": 7, "end": 24}
    ]
    assert e2["confidence"] == 0.8 and e2["codes"] == []
    assert_no_private(*result.paths)

    published = export(seeded, "jsonl", tmp_path / "pub", published_only=True)
    nodes = [json.loads(line) for line in (tmp_path / "pub" / "nodes.jsonl").read_text().splitlines()]
    edges = [json.loads(line) for line in (tmp_path / "pub" / "edges.jsonl").read_text().splitlines()]
    assert {n["id"] for n in nodes} == PUBLISHED_NODES and published.nodes == 4
    assert {e["id"] for e in edges} == PUBLISHED_EDGES and published.edges == 4
    assert {e["status"] for e in edges} <= {"suggested", "confirmed"}
    assert all(n["status"] == "published" for n in nodes if n["type"] == "Case")
    time = next(n for n in nodes if n["id"] == "barrier:e-time")
    assert time["cfir"] == ["cfir2:I.B"]  # a published case's confirmed claim (CODED_AS may come from any)
    assert_no_private(*published.paths)


def test_graphml_parses_with_typed_keys(seeded: Driver, tmp_path: Path) -> None:
    path = tmp_path / "graph.graphml"
    result = export(seeded, "graphml", path)
    root = ET.parse(path).getroot()
    keys = {k.get("id"): k for k in root.iter(f"{G}key")}
    assert all(k.get("attr.type") in {"string", "double"} for k in keys.values())
    assert keys["e_confidence"].get("attr.type") == "double" and keys["n_label"].get("attr.name") == "label"
    graph = root.find(f"{G}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"

    def data(element: ET.Element) -> dict[str, str]:
        return {keys[d.get("key")].get("attr.name"): d.text or "" for d in element.iter(f"{G}data")}

    nodes = {n.get("id"): data(n) for n in graph.iter(f"{G}node")}
    edges = [(e.get("source"), e.get("target"), data(e)) for e in graph.iter(f"{G}edge")]
    assert set(nodes) == ALL_NODES and result.nodes == 7
    assert {d["claim"] for _, _, d in edges} == ALL_EDGES and result.edges == 7
    assert all(s in nodes and t in nodes for s, t, _ in edges)
    assert nodes["case:e-pub"]["label"] == "Protected time on wards"
    assert nodes["barrier:e-time"]["cfir"] == "cfir2:I.A;cfir2:I.B"
    link = next(d for _, _, d in edges if d["claim"] == "claim:e5")
    assert link["evidence_excerpts"] == "src:e-doc:26-78" and link["case"] == "case:e-pub"
    excerpts = {x for _, _, d in edges for x in split(d.get("evidence_excerpts", "")) if x}
    assert existing_excerpts(seeded, excerpts) == excerpts
    assert_no_private(path)

    networkx = pytest.importorskip("networkx")
    read = networkx.read_graphml(path)
    assert read.number_of_nodes() == 7 and read.number_of_edges() == 7
    assert read.nodes["barrier:e-time"]["label"] == "No spare time"


def test_graphml_published_only(seeded: Driver, tmp_path: Path) -> None:
    path = tmp_path / "pub.graphml"
    export(seeded, "graphml", path, published_only=True)
    graph = ET.parse(path).getroot().find(f"{G}graph")
    assert graph is not None
    assert {n.get("id") for n in graph.iter(f"{G}node")} == PUBLISHED_NODES
    assert len(list(graph.iter(f"{G}edge"))) == 4


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "graphml"])
def test_two_exports_are_byte_identical(seeded: Driver, tmp_path: Path, fmt: str) -> None:
    one = export(seeded, fmt, tmp_path / f"one.{fmt}")  # type: ignore[arg-type]
    two = export(seeded, fmt, tmp_path / f"two.{fmt}")  # type: ignore[arg-type]
    assert [p.read_bytes() for p in one.paths] == [p.read_bytes() for p in two.paths]


def test_cli_export_all_formats(seeded: Driver, tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    done = runner.invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "csv")])
    assert done.exit_code == 0, done.output
    assert "7 node(s) and 7 edge(s) exported (all cases)" in done.stderr
    assert str(tmp_path / "csv" / "nodes.csv") in done.stdout
    nodes, edges = read_csv(tmp_path / "csv")
    assert len(nodes) == 7 and len(edges) == 7

    done = runner.invoke(app, ["export", "-f", "jsonl", "-o", str(tmp_path / "j"), "--published-only"])
    assert done.exit_code == 0, done.output
    assert "4 node(s) and 4 edge(s) exported (published cases)" in done.stderr

    done = runner.invoke(app, ["export", "-f", "graphml", "-o", str(tmp_path / "g.graphml")])
    assert done.exit_code == 0, done.output
    assert ET.parse(tmp_path / "g.graphml").getroot().tag == f"{G}graphml"

    bad = runner.invoke(app, ["export", "-f", "xlsx", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "csv, jsonl or graphml" in bad.output
