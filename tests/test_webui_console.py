"""The analyst console: `/cypher`, `POST /api/cypher`, canned queries and `/schema`.

The console must refuse anything that is not a plain read, through the shared guard, and the
graph must be unchanged after every attempt.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.decisions import set_status
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.templates.template_ingest import ingest_file
from spreadgraph.webui.app import create_app
from spreadgraph.webui.canned import canned_queries
from spreadgraph.webui.deps import settings as settings_dep

from spreadgraph.config import Settings, get_settings
from tests.conftest import analyst_token, wipe_data
from tests.test_webui_pages import CASES, PUBLISHED

WRITES = [
    "CREATE (n:Hacked {id: 'x'}) RETURN n",
    "MERGE (n:Case {id: 'case:teledermatology-failed-pathway'}) RETURN n",
    "MATCH (c:Case) SET c.title = 'owned' RETURN c",
    "MATCH (c:Case) DETACH DELETE c",
    "MATCH (c:Case) DELETE c",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "LOAD CSV FROM 'http://example.com/x.csv' AS row RETURN row",
    "CALL dbms.components() YIELD name RETURN name",
    "CALL dbms.security.createUser('x', 'y', false)",
    "CALL db.createLabel('Hacked')",
    "CALL db.index.fulltext.createNodeIndex('x', ['Case'], ['title'])",
    "MATCH (c:Case) CALL { WITH c SET c.x = 1 } IN TRANSACTIONS RETURN 1",
    "CALL apoc.load.json('http://example.com') YIELD value RETURN value",
    "MATCH (c:Case) REMOVE c.title RETURN c",
    "MATCH (c:Case) FOREACH (x IN [1] | SET c.y = x)",
    "DROP INDEX case_fulltext",
    "MATCH (c:Case) /* comment */ SeT c.z = 1",
    "match (c:Case) with c cReAtE (:X)",
]


@pytest.fixture(scope="module")
def client(migrated: Driver) -> Iterator[TestClient]:
    wipe_data(migrated)
    for name in PUBLISHED:
        ingest_file(CASES / f"{name}.yaml")
        set_status(name, "published", reviewer="tests")
    app = create_app()
    with TestClient(app) as test_client:
        test_client.headers["authorization"] = f"Bearer {analyst_token()}"
        yield test_client
    wipe_data(migrated)


def tight(client: TestClient, **limits: float | int) -> None:
    """Override the settings dependency (timeout, row cap) for this app."""
    base = get_settings().model_dump(by_alias=False)
    base.update(limits)
    client.app.dependency_overrides[settings_dep] = lambda: Settings.model_validate(
        {Settings.model_fields[k].alias: v for k, v in base.items()}
    )


@pytest.fixture
def tight_client(client: TestClient) -> Iterator[TestClient]:
    yield client
    client.app.dependency_overrides.clear()


def test_api_runs_a_read(client: TestClient) -> None:
    response = client.post(
        "/api/cypher",
        json={
            "query": "MATCH (c:Case) WHERE c.id = $id RETURN c.title AS title",
            "params": {"id": "case:teledermatology-failed-pathway"},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] and body["columns"] == ["title"] and body["truncated"] is False
    assert body["rows"] == [{"title": "Teledermatology advice-and-guidance pathway that collapsed twice"}]


@pytest.mark.parametrize("query", WRITES)
def test_api_refuses_writes_and_admin_and_the_graph_is_unchanged(client: TestClient, query: str) -> None:
    before = fingerprint()
    response = client.post("/api/cypher", json={"query": query})
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"ok", "error"} and set(body["error"]) == {"code", "message", "hint"}
    assert body["ok"] is False and body["error"]["code"] in {"query_refused", "query_failed"}
    assert body["error"]["message"]
    assert fingerprint() == before


@pytest.mark.parametrize("query", WRITES[:4])
def test_console_page_shows_the_refusal_and_changes_nothing(client: TestClient, query: str) -> None:
    before = fingerprint()
    page = client.get("/cypher", params={"query": query})
    assert page.status_code == 400 and "Refused" in page.text
    assert client.get("/cypher.json", params={"query": query}).json()["error"]["code"] == "query_refused"
    assert fingerprint() == before


def test_timeout_and_row_cap(tight_client: TestClient) -> None:
    tight(tight_client, query_timeout=0.5, query_row_cap=5)
    capped = tight_client.post("/api/cypher", json={"query": "UNWIND range(1, 20) AS x RETURN x"}).json()
    assert capped["truncated"] is True and capped["row_cap"] == 5 and len(capped["rows"]) == 5
    before = fingerprint()
    slow = tight_client.post(
        "/api/cypher",
        json={"query": "UNWIND range(1, 20000) AS a UNWIND range(1, 20000) AS b RETURN count(*) AS n"},
    )
    assert slow.status_code == 400 and "limit" in slow.json()["error"]["message"], slow.text
    assert fingerprint() == before


def test_api_validates_its_body(client: TestClient) -> None:
    for body in ({}, {"query": 1}, {"query": "RETURN 1", "params": []}, {"query": "x" * 20_001}):
        response = client.post("/api/cypher", json=body)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request", body
    assert (
        client.post(
            "/api/cypher", content=b"not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


@pytest.mark.parametrize("name", list(canned_queries()))
def test_every_canned_query_runs(client: TestClient, name: str) -> None:
    before = fingerprint()
    data = client.get("/cypher.json", params={"canned": name}).json()
    assert data["result"]["ok"], data
    assert data["query"] == canned_queries()[name].cypher
    assert fingerprint() == before


def test_canned_queries_answer_the_demo_data(client: TestClient) -> None:
    failed = client.get("/cypher.json", params={"canned": "approach-did-not-address"}).json()["result"][
        "rows"
    ]
    assert {(r["approach"], r["barrier"]) for r in failed} >= {
        ("GP training", "Unusable image quality at the consultant"),
        ("Advice and guidance tariff", "No implementation planning of the whole pathway"),
    }
    only_training = client.get(
        "/cypher.json", params={"canned": "approach-did-not-address", "approach": "training"}
    )
    assert {r["approach"] for r in only_training.json()["result"]["rows"]} == {"GP training"}
    gaps = client.get("/cypher.json", params={"canned": "evidence-gaps", "limit": "3"}).json()["result"]
    assert 0 < len(gaps["rows"]) <= 3
    bad = client.get("/cypher.json", params={"canned": "evidence-gaps", "limit": "many"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    assert client.get("/cypher.json", params={"canned": "nope"}).status_code == 404


def test_console_page_shows_canned_queries_with_their_cypher(client: TestClient) -> None:
    html = client.get("/cypher").text
    for query in canned_queries().values():
        assert query.title in html
        assert "MATCH (c:Case)-[:MAKES]-&gt;" in html or "MATCH (b:Barrier)" in html
    result = client.get("/cypher", params={"canned": "approach-did-not-address"}).text
    assert '<table class="results">' in result and "GP training" in result


def test_csv_download(client: TestClient) -> None:
    response = client.get(
        "/cypher.csv", params={"query": "MATCH (c:Case) RETURN c.id AS id, [1, 2] AS xs ORDER BY id"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "xs"] and len(rows) == 1 + len(PUBLISHED) and rows[1][1] == "[1, 2]"
    refused = client.get("/cypher.csv", params={"query": "CREATE (n) RETURN n"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "query_refused"


def test_console_form_post_needs_its_csrf_token(client: TestClient) -> None:
    page = client.get("/cypher")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    ok = client.post("/cypher", data={"csrf_token": token, "query": "RETURN 1 + 1 AS two"})
    assert ok.status_code == 200 and "<td>2</td>" in ok.text
    refused = client.post("/cypher", data={"csrf_token": token, "query": "CREATE (n) RETURN n"})
    assert refused.status_code == 400 and "Refused" in refused.text


def test_schema_page_comes_from_the_live_database(client: TestClient) -> None:
    data = client.get("/schema.json").json()
    labels = {row["name"]: row for row in data["labels"]}
    assert labels["Case"]["count"] == len(PUBLISHED) and labels["Case"]["doc"]
    assert labels["CfirConstruct"]["count"] >= 48
    types = {row["name"] for row in data["relationship_types"]}
    assert {"MAKES", "SUBJECT", "EVIDENCED_BY", "ABOUT"} <= types
    assert "spread_status" in data["property_keys"]
    assert any(i["name"] == "case_fulltext" for i in data["indexes"])
    html = client.get("/schema").text
    assert "case_fulltext" in html and "<code>EVIDENCED_BY</code>" in html


def test_schema_page_is_reused_until_a_write_is_committed(client: TestClient, migrated: Driver) -> None:
    def case_count() -> int:
        return {row["name"]: row["count"] for row in client.get("/schema.json").json()["labels"]}["Case"]

    before = case_count()
    assert case_count() == before  # the second read is the cached page
    migrated.execute_query("CREATE (:Case {id: 'case:schema-cache-probe', status: 'pending'})")
    try:
        assert case_count() == before + 1  # a committed write makes the page current again
    finally:
        migrated.execute_query("MATCH (c:Case {id: 'case:schema-cache-probe'}) DELETE c")
