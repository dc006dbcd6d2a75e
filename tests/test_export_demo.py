"""`spreadgraph export` over the demo case templates: every case, no contributor contact."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.export_formats import export
from spreadgraph.ingest.templates.template_ingest import ingest_file

from tests.test_export import read_csv


def test_demo_templates_export_without_contacts(graph: Driver, tmp_path: Path) -> None:
    demo = sorted((Path(__file__).resolve().parents[1] / "examples" / "cases").glob("*.yaml"))
    for path in demo:
        ingest_file(path, driver=graph)
    graph.execute_query("MATCH (c:Case) WITH c ORDER BY c.id LIMIT 1 SET c.status = 'published'")
    records, _, _ = graph.execute_query(
        "MATCH (n:Contributor) WHERE n.contact IS NOT NULL RETURN collect(n.contact) AS contacts"
    )
    contacts = records[0]["contacts"]
    result = export(graph, "csv", tmp_path / "demo")
    nodes, edges = read_csv(tmp_path / "demo")
    assert sum(n["type"] == "Case" for n in nodes) == len(demo) and edges
    assert all(e["evidence_sources"] for e in edges)
    text = "".join(p.read_text(encoding="utf-8") for p in result.paths)
    assert all(contact not in text for contact in contacts)
    published = export(graph, "csv", tmp_path / "demo-pub", published_only=True)
    assert sum(n["type"] == "Case" for n in read_csv(tmp_path / "demo-pub")[0]) == 1 and published.edges
