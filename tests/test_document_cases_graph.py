"""A document's cases in the graph: the innovation they are about and per-site results with their
evidence, idempotent and versioned (graph/document_cases.py). Invented text only."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.ingester import ingest_document

HEAD = "# Spreading the Ward Falls Huddle: a regional evaluation\n\n"
BODY = (
    "The Ward Falls Huddle (WFH) is a five-minute safety briefing.\n\n"
    + "In phase 1 the WFH ran on pilot wards. " * 6
    + "\n\n"
    + "In phase 2 the WFH spread to new wards with champions. " * 6
    + "\n\nResults by region:\n\n"
)
TABLE = "Region ID\tWFH spread success\tBarriers\n"
ROWS = ["N1\tYes\tnone reported\n", "S2\tNo\trotas changed weekly\n"]

SITES = """
MATCH (c:Case)-[:HAS_ADOPTION]->(a:Adoption)
OPTIONAL MATCH (a)-[r:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(s:Source)
RETURN a.site AS site, a.success AS success, a.measure AS measure,
       substring(s.text, r.start, r.end - r.start) AS row
ORDER BY site
"""
ABOUT = "MATCH (c:Case)-[:ABOUT]->(i:Innovation) RETURN c.title AS case, i.name AS innovation ORDER BY case"


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "wfh-evaluation.md"
    path.write_text(HEAD + BODY + TABLE + "".join(rows) + "\nEnd of the results.\n", encoding="utf-8")
    return path


def test_cases_name_their_innovation_and_sites_keep_the_row_they_came_from(
    graph: Driver, tmp_path: Path
) -> None:
    assert ingest_document(write(tmp_path, ROWS)).action == "created"
    about = read(ABOUT)
    # the phases, and the programme as a whole, which holds the per-region results
    assert {r["case"] for r in about} == {"WFH phase 1", "WFH phase 2", "Ward Falls Huddle (WFH)"}
    assert {r["innovation"] for r in about} == {"Ward Falls Huddle (WFH)"}
    sites = read(SITES)
    assert [(s["site"], s["success"], s["measure"]) for s in sites] == [
        ("Region N1", True, "WFH spread success"),
        ("Region S2", False, "WFH spread success"),
    ]
    assert [s["row"].split()[0] for s in sites] == ["N1", "S2"]  # the evidence span is the table row

    before = fingerprint()
    assert ingest_document(write(tmp_path, ROWS)).action == "unchanged"
    assert fingerprint() == before


def test_a_new_version_drops_the_results_it_no_longer_states(graph: Driver, tmp_path: Path) -> None:
    ingest_document(write(tmp_path, ROWS))
    assert ingest_document(write(tmp_path, ROWS[:1])).action == "versioned"
    assert [s["site"] for s in read(SITES)] == ["Region N1"]
    assert len(read("MATCH (i:Innovation) RETURN i")) == 1  # one node for the innovation across versions


def test_the_case_page_shows_each_sites_result_with_a_link_to_its_row(graph: Driver, tmp_path: Path) -> None:
    from urllib.parse import quote

    from fastapi.testclient import TestClient
    from spreadgraph.webui.app import create_app

    ingest_document(write(tmp_path, ROWS))
    (programme,) = read("MATCH (c:Case {case_kind: 'programme'}) RETURN c.id AS id")
    with TestClient(create_app()) as client:
        data = client.get(f"/cases/{quote(programme['id'], safe=':')}.json").json()
        page = client.get(f"/cases/{quote(programme['id'], safe=':')}").text
    results = {a["site"]: a for a in data["adoptions"]}
    assert results["Region S2"]["success"] is False and results["Region N1"]["success"] is True
    assert (
        results["Region S2"]["href"].startswith("/sources/") and "#excerpt-" in results["Region S2"]["href"]
    )
    assert "WFH spread success: no" in page and "as the source states it" in page
