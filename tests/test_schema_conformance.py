"""The graph that ingest writes uses only the labels, properties and relationships the model declares."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.decisions import set_status
from spreadgraph.ingest.documents.ingester import ingest_document
from spreadgraph.ingest.templates.template_ingest import ingest_file
from spreadgraph.schema.model import NODE_TYPES, REL_TYPES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"


DOCUMENT = """# Rolling out bedside handover checklists

## Phase 1: three wards

The checklist was tried on three wards first. Time was the main problem.

"We never had the ten minutes the checklist needed at shift change." (Charge nurse, phase 1 ward)

## Phase 2: all medical wards

Ward champions trained their colleagues, and uptake rose.
"""

CODED = """quote,speaker,role,source,case,codes
"Nobody covered the clinic while we trained.",P3,practice nurse,handover-report,phase 1,barrier:lack of time
"""


def test_demo_graph_conforms_to_the_declared_model(graph: Driver, tmp_path: Path) -> None:
    written = [ingest_file(path, driver=graph) for path in sorted(EXAMPLES.glob("*.yaml"))]
    document = tmp_path / "two-phase-report.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    ingest_document(document, driver=graph)
    coded = tmp_path / "coded.csv"
    coded.write_text(CODED, encoding="utf-8")
    ingest_document(coded, driver=graph)
    assert written
    assert set_status(written[0].case_id, "published", reviewer="conformance-test", note="ok", driver=graph)

    declared = {n.label: {p.name for p in n.props} for n in NODE_TYPES}
    records, _, _ = graph.execute_query(
        "MATCH (n) UNWIND labels(n) AS label UNWIND keys(n) AS key RETURN DISTINCT label, key"
    )
    undeclared = sorted(
        f"{r['label']}.{r['key']}" for r in records if r["key"] not in declared.get(r["label"], set())
    )
    assert not undeclared, f"properties written but not declared in schema/model.py: {undeclared}"

    allowed = {(s, r.type, e) for r in REL_TYPES for s in r.start for e in r.end}
    records, _, _ = graph.execute_query(
        "MATCH (a)-[r]->(b) RETURN DISTINCT labels(a)[0] AS start, type(r) AS type, labels(b)[0] AS end"
    )
    extra = sorted(
        f"({r['start']})-[:{r['type']}]->({r['end']})"
        for r in records
        if (r["start"], r["type"], r["end"]) not in allowed
    )
    assert not extra, f"relationships written but not declared in schema/model.py: {extra}"
