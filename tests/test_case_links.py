"""One real case described twice: a template citing an ingested document is linked to the
document's Source and to its Case (SAME_AS), in either order, idempotently; the case page shows
both descriptions and what-worked's grouping lists the project once. All text is invented."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from neo4j import Driver
from spreadgraph.graph import pages
from spreadgraph.graph.case_links import case_match, citation_score
from spreadgraph.graph.connection import read
from spreadgraph.ingest.documents.ingester import ingest_document
from spreadgraph.ingest.templates.template_ingest import ingest_bytes
from spreadgraph.search import answer_cypher as q

DOC = """# Spreading a bedside medicines huddle: an evaluation

Jo Example and Sam Placeholder

Published 2022. An evaluation of a two-phase spread effort in invented hospitals.

## Phase 1: four pilot wards

In phase 1 the huddle ran on four pilot wards with direct support from a central team.

'We caught two dosing mix-ups in the first week alone.' (ward pharmacist)

## Phase 2: sixteen wards with buddy wards

In phase 2 each new ward was paired with a buddy ward that had already run the huddle.

'Seeing the buddy ward do it on a busy Monday convinced us.' (phase 2 ward, staff nurse)
"""
CITATION = (
    "Example J, Placeholder S (2022). Spreading a bedside medicines huddle: an evaluation. Invented Press."
)


def template(title: str = "Medicines huddle phase 2 - buddy wards", summary: str = "Sixteen wards.") -> bytes:
    data = {
        "template_version": 1,
        "id": "huddle-phase-2",
        "title": title,
        "summary": summary,
        "period": "2021-2022",
        "spread_status": "spreading",
        "innovation": {
            "name": "Bedside medicines huddle",
            "type": "service model",
            "description": "A short daily check of medicines at the bedside.",
        },
        "contexts": [
            {"setting": "hospital wards", "sector": "NHS", "country": "England", "scale": "multi-site"}
        ],
        "barriers": [{"name": "Rota changes"}],
        "sources": [{"citation": CITATION, "section": "Phase 2"}],
        "contributor": {"name": "Test Person", "organisation": "Nowhere", "contact": "t@example.org"},
    }
    return yaml.safe_dump(data).encode()


LINKS = """
MATCH (a:Case)-[l:SAME_AS]->(b:Case)
RETURN a.id AS a, b.id AS b, l.method AS method, l.source AS source ORDER BY a, b
"""
CITED_SOURCES = """
MATCH (c:Case {id: 'case:huddle-phase-2'})-[d:DESCRIBED_IN {method: 'citation'}]->(s:Source)
RETURN s.file_name AS file, d.citation AS citation
"""


@pytest.fixture
def doc_file(tmp_path: Path) -> Path:
    path = tmp_path / "huddle-evaluation.md"
    path.write_text(DOC, encoding="utf-8")
    return path


def _state(driver: Driver) -> tuple[list[dict], list[dict]]:
    return read(LINKS, driver=driver), read(CITED_SOURCES, driver=driver)


def _phase_2(driver: Driver) -> str:
    rows = read("MATCH (c:Case) WHERE c.id ENDS WITH ':phase-2' RETURN c.id AS id", driver=driver)
    assert len(rows) == 1, rows
    return rows[0]["id"]


def test_template_first_then_document(graph: Driver, doc_file: Path) -> None:
    ingest_bytes(template(), "huddle.yaml", driver=graph)
    assert read(LINKS, driver=graph) == []  # nothing to link to yet
    ingest_document(doc_file, driver=graph, extract=False)
    links, cited = _state(graph)
    assert [(row["a"], row["b"]) for row in links] == [("case:huddle-phase-2", _phase_2(graph))]
    assert cited == [{"file": "huddle-evaluation.md", "citation": CITATION}]


def test_document_first_then_template_gives_the_same_graph(graph: Driver, doc_file: Path) -> None:
    ingest_document(doc_file, driver=graph, extract=False)
    write = ingest_bytes(template(), "huddle.yaml", driver=graph)
    links, cited = _state(graph)
    assert [(row["a"], row["b"], row["method"]) for row in links] == [
        ("case:huddle-phase-2", _phase_2(graph), "citation")
    ]
    assert cited == [{"file": "huddle-evaluation.md", "citation": CITATION}]
    assert any("SAME_AS" in note for note in write.notes)


def test_reingest_and_revision_are_idempotent(graph: Driver, doc_file: Path) -> None:
    ingest_document(doc_file, driver=graph, extract=False)
    ingest_bytes(template(), "huddle.yaml", driver=graph)
    before = _state(graph)
    assert ingest_bytes(template(), "huddle.yaml", driver=graph).action == "unchanged"
    assert ingest_document(doc_file, driver=graph, extract=False).action == "unchanged"
    assert _state(graph) == before
    assert (
        ingest_bytes(template(summary="Sixteen wards, revised."), "huddle.yaml", driver=graph).action
        == "revised"
    )
    assert _state(graph) == before


def test_a_template_naming_no_case_of_the_document_links_only_the_source(
    graph: Driver, doc_file: Path
) -> None:
    ingest_document(doc_file, driver=graph, extract=False)
    ingest_bytes(template(title="Medicines huddle - pharmacy view"), "huddle.yaml", driver=graph)
    data = yaml.safe_load(template(title="Medicines huddle - pharmacy view"))
    assert data["sources"][0]["section"] == "Phase 2"  # the section names phase 2: that still links
    ingest_bytes(
        yaml.safe_dump({**data, "sources": [{"citation": CITATION}]}).encode(), "huddle.yaml", driver=graph
    )
    links, cited = _state(graph)
    assert links == [] and len(cited) == 1


def test_case_page_shows_both_descriptions(graph: Driver, doc_file: Path) -> None:
    ingest_document(doc_file, driver=graph, extract=False)
    ingest_bytes(template(), "huddle.yaml", driver=graph)
    graph.execute_query("MATCH (c:Case {id: 'case:huddle-phase-2'}) SET c.status = 'published'")
    doc_case = _phase_2(graph)
    page = pages.case(graph, "case:huddle-phase-2")
    assert [o["id"] for o in page["case"]["same_as"]] == [doc_case]
    kinds = {s["kind"] for s in page["sources"]}
    assert {"template", "document"} <= kinds
    assert not any(s["source_type"] == "cited" for s in page["sources"])  # resolved: the document shows
    texts = " ".join(e["text"] for e in page["excerpts"])
    assert "buddy ward do it" in texts  # the document's description
    assert any(c["claim"]["method"] == "template" for c in page["claims"])  # the contributor's
    other = pages.case(graph, doc_case)
    assert [o["id"] for o in other["case"]["same_as"]] == ["case:huddle-phase-2"]


def test_a_pending_template_does_not_hide_the_document_case(graph: Driver, doc_file: Path) -> None:
    ingest_document(doc_file, driver=graph, extract=False)
    ingest_bytes(template(), "huddle.yaml", driver=graph)  # pending review
    page = pages.case(graph, _phase_2(graph))
    assert page is not None and page["case"]["same_as"] == []


def test_what_worked_groups_the_descriptions_under_the_template_case(graph: Driver, doc_file: Path) -> None:
    ingest_document(doc_file, driver=graph, extract=False)
    ingest_bytes(template(), "huddle.yaml", driver=graph)
    doc_case = _phase_2(graph)
    published = "c.status = 'published'"
    rows = read(q.case_groups(published), {"ids": [doc_case]}, driver=graph)
    assert [m["id"] for m in rows[0]["members"]] == [doc_case]  # template still pending
    graph.execute_query("MATCH (c:Case {id: 'case:huddle-phase-2'}) SET c.status = 'published'")
    rows = read(q.case_groups(published), {"ids": [doc_case, "case:huddle-phase-2"]}, driver=graph)
    groups = {r["id"]: sorted((m["rank"], m["id"]) for m in r["members"]) for r in rows}
    assert groups[doc_case][0] == (0, "case:huddle-phase-2") == groups["case:huddle-phase-2"][0]


def test_citation_score_rules() -> None:
    doc = {
        "id": "s",
        "title": "Spreading a bedside medicines huddle",
        "file_name": "h.md",
        "year": 2022,
        "authors": ["Jo Example"],
        "head": "see doi 10.9999/abc.123 here",
    }
    assert citation_score("Spreading a bedside medicines huddle (2022)", None, doc) == 0.9
    assert citation_score("Spreading a bedside medicines huddle (2019)", None, doc) == 0.0  # year differs
    assert citation_score("Some article, DOI 10.9999/abc.123", None, doc) == 1.0
    assert citation_score("Example J (2022) a different title", None, doc) == 0.8
    assert citation_score("Unrelated report on falls", None, doc) == 0.0


def test_case_match_needs_one_best_case() -> None:
    cases = [
        {"id": "a", "title": "phase 1", "aliases": ["first phase"], "kind": "phase"},
        {"id": "b", "title": "phase 2", "aliases": ["scale-up"], "kind": "phase"},
    ]
    assert case_match(["Huddle phase 2 - buddy wards"], "", cases)[0] == "b"
    assert case_match(["Huddle phases 1 and 2"], "", cases) is None  # both match equally: no link
    assert case_match(["Huddle pharmacy view"], "", cases) is None
