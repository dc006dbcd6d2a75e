"""`POST /api/cases` through FastAPI's TestClient against the real Neo4j, as a contributor
(API token); without one it answers 401 and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.webui.app import create_app

from tests.test_webui_auth import CONTRIBUTOR, ensure_accounts, token_for

PFCC2 = Path(__file__).resolve().parents[1] / "examples" / "cases" / "pfcc-phase-2-peer-coaching.yaml"


@pytest.fixture
def client(graph):
    ensure_accounts()
    test_client = TestClient(create_app())
    test_client.headers["authorization"] = f"Bearer {token_for(CONTRIBUTOR)}"
    return test_client


def test_post_needs_a_contributor(client):
    before = fingerprint()
    del client.headers["authorization"]
    response = client.post("/api/cases", content=PFCC2.read_bytes())
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_signed_in"
    assert fingerprint() == before


def test_post_yaml_creates_pending_case(client):
    response = client.post(
        "/api/cases", content=PFCC2.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ok"] and body["case_id"] == "case:pfcc-phase-2-peer-coaching" and body["revision"] == 1
    (account,) = revision_accounts(body["case_id"])
    assert account == CONTRIBUTOR  # the revision records who sent it
    again = client.post(
        "/api/cases", content=PFCC2.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert again.status_code == 200 and again.json()["action"] == "unchanged"


def test_post_json_is_the_same_case(client):
    data = yaml.safe_load(PFCC2.read_text(encoding="utf-8"))
    data["review_by"] = str(data["review_by"])
    first = client.post("/api/cases", content=PFCC2.read_bytes())
    second = client.post("/api/cases", json=data)
    assert first.status_code == 201 and second.status_code == 200, second.text
    assert second.json()["case_id"] == first.json()["case_id"]


def test_problems_give_422_in_the_error_shape_and_write_nothing(client):
    before = fingerprint()
    bad = PFCC2.read_text(encoding="utf-8").replace("cfir: Culture", "cfir: Cultur")
    response = client.post("/api/cases", content=bad.encode())
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "template_invalid"
    assert set(body["error"]) == {"code", "message", "hint", "problems"}
    (problem,) = body["error"]["problems"]
    assert problem["path"] == "barriers[3].cfir" and "did you mean 'Culture'" in problem["message"]
    assert problem["line"] == bad.splitlines().index("    cfir: Cultur") + 1
    assert fingerprint() == before


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\x01binary",
        b"- a list\n",
        b"x: !!python/object/apply:os.system ['true']\n",
        json.dumps([1]).encode(),
    ],
)
def test_unreadable_bodies_give_422(client, payload):
    before = fingerprint()
    response = client.post("/api/cases", content=payload)
    assert response.status_code == 422 and response.json()["error"]["problems"]
    assert fingerprint() == before


def test_oversize_body_is_refused(client):
    response = client.post("/api/cases", content=b"#" * 1_500_000)
    assert (
        response.status_code == 422 and "at most 1 MB" in response.json()["error"]["problems"][0]["message"]
    )


def revision_accounts(case_id: str) -> list[str]:
    from spreadgraph.graph.connection import read

    rows = read(
        "MATCH (:Case {id: $id})-[:HAS_REVISION]->(r:Revision) RETURN r.account AS a", {"id": case_id}
    )
    return [row["a"] for row in rows]
