"""The "what worked" answer, and both search endpoints, against the real Neo4j (invented fixtures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.search.retrieval import Searcher
from spreadgraph.search.what_worked import EXPERT_LABEL, WhatWorkedEngine, outcome_weight
from spreadgraph.webui.api import search as search_api
from spreadgraph.webui.app import create_app

from tests.conftest import wipe_data
from tests.search_fixtures import WordVectors, seed

ENCODER = WordVectors()


@pytest.fixture(scope="module")
def seeded(migrated: Driver) -> Iterator[Driver]:
    wipe_data(migrated)
    seed(migrated, ENCODER)
    # Code the fixture barrier to a CFIR 2.0 construct that the CFIR-ERIC matching covers.
    migrated.execute_query(
        """
        MATCH (old:Cfir2009Construct)-[:MAPS_TO]->(k:CfirConstruct)
        WHERE EXISTS { (old)-[:EXPERT_MATCH]->(:EricStrategy) }
        WITH k ORDER BY k.id LIMIT 1
        MATCH (b:Barrier {id: 'barrier:slow-start'})
        MERGE (b)-[:CODED_AS]->(k)
        """
    )
    yield migrated
    wipe_data(migrated)


def test_what_worked_ranks_cases_approaches_and_barriers_with_evidence(seeded: Driver) -> None:
    answer = WhatWorkedEngine(Searcher(seeded, embedder=ENCODER)).answer(
        "our ward tablet is slow to start, digital tool for a hospital"
    )
    assert answer.cases[0].id == "case:t-hospital" and answer.cases[0].similarity == 1.0
    why = " ".join(answer.cases[0].why)
    assert "digital tool" in why and "acute hospital" in why
    assert all(c.id != "case:t-pending" for c in answer.cases)
    top = answer.approaches[0]
    assert top.name == "Software update" and top.confirmed_claims >= 1
    assert "Slow device start-up" in top.addressed_barriers
    assert top.evidence and top.evidence[0].file_name == "tablet-report.txt"
    barrier = next(b for b in answer.barriers if b.id == "barrier:slow-start")
    assert {x["name"] for x in barrier.addressed_elsewhere} == {"Software update"}
    assert barrier.expert_opinion and barrier.expert_opinion_label == EXPERT_LABEL
    assert all(m.percent is not None for m in barrier.expert_opinion)
    assert answer.excerpts and answer.excerpts[0].source is not None


def test_evidence_score_weights() -> None:
    assert outcome_weight(["improved"], None) > outcome_weight([], None) > outcome_weight(["worsened"], None)
    assert outcome_weight(["improved"], "stopped") == 1.25
    assert outcome_weight([], "stopped") == 0.6


def test_what_worked_with_an_empty_description_explains(seeded: Driver) -> None:
    answer = WhatWorkedEngine(Searcher(seeded, embedder=ENCODER)).answer("  ")
    assert answer.cases == [] and "empty" in answer.notes[0].lower()


@pytest.fixture
def client(seeded: Driver, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(search_api, "configured_embedder", lambda: ENCODER)
    return TestClient(create_app())


def test_api_search_with_filters_and_provenance(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "tablet kiosk", "limit": 5, "kind": "excerpt"})
    assert response.status_code == 200
    body = response.json()
    assert {r["case"]["id"] for r in body["results"] if r["case"]} == {"case:t-hospital", "case:t-practice"}
    first = body["results"][0]
    assert {"kind", "score", "text", "case", "source"} <= set(first)
    assert first["source"]["file_name"] and first["source"]["start"] is not None
    only = client.get(
        "/api/search", params={"q": "tablet kiosk", "kind": "excerpt", "setting": "practice"}
    ).json()
    assert {r["case"]["id"] for r in only["results"] if r["case"]} == {"case:t-practice"}


def test_api_empty_and_long_queries_are_answered(client: TestClient) -> None:
    empty = client.get("/api/search", params={"q": ""})
    assert empty.status_code == 200 and empty.json()["results"] == [] and empty.json()["notes"]
    long = client.get("/api/search", params={"q": "tablet " * 1500})
    assert long.status_code == 200 and long.json()["results"]
    worked = client.get("/api/what-worked", params={"q": "slow tablet on hospital wards"})
    assert worked.status_code == 200 and worked.json()["cases"]
    assert worked.json()["barriers"][0]["expert_opinion_label"] == EXPERT_LABEL
