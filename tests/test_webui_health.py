"""Health endpoints and the 503 answer when Neo4j is away (webui/health.py, webui/outage.py),
against the session's real Neo4j, and a second app pointed at a closed port."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import APIRouter
from fastapi.testclient import TestClient
from neo4j import Driver
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from spreadgraph.webui.app import create_app
from spreadgraph.webui.deps import settings as settings_dep
from spreadgraph.webui.health import expected_schema_version

from bench.scratch import free_port
from spreadgraph.config import Settings, get_settings
from spreadgraph.errors import DatabaseDown, DatabaseUnavailable
from tests.conftest import analyst_token

ROOT = Path(__file__).resolve().parents[1]
PLAIN = "the database is not available right now"
SECRET = "s3cret-in-the-uri"


def assert_down(response: httpx.Response, *, html: bool) -> None:
    """A 503 with Retry-After and the plain message, as the error page or the fixed JSON shape,
    naming no address, user or password and showing no traceback."""
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == str(DatabaseDown.retry_after)
    if html:
        assert response.headers["content-type"].startswith("text/html")
        assert PLAIN in response.text
    else:
        assert response.json() == {
            "ok": False,
            "error": {"code": "database_unavailable", "message": PLAIN, "hint": "try again in a few seconds"},
        }
    for private in ("bolt://", "127.0.0.1:", SECRET, "Traceback", "neo4j.exceptions"):
        assert private not in response.text


@pytest.fixture(scope="module")
def client(migrated: Driver) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def closed_port_settings() -> Settings:
    """The session's settings with NEO4J_URI pointing at a port nothing listens on."""
    values = {Settings.model_fields[k].alias: v for k, v in get_settings().model_dump().items()}
    values["NEO4J_URI"] = f"bolt://127.0.0.1:{free_port()}"
    values["NEO4J_PASSWORD"] = SECRET
    return Settings.model_validate(values)


@pytest.fixture(scope="module")
def unreachable(migrated: Driver) -> Iterator[TestClient]:
    """A second app whose settings point at a closed port (the session's Neo4j keeps running)."""
    app = create_app()
    app.dependency_overrides[settings_dep] = closed_port_settings
    with TestClient(app) as test_client:
        yield test_client


def test_healthz_answers_without_the_database(unreachable: TestClient) -> None:
    response = unreachable.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "retry-after" not in response.headers


def test_readyz_is_ready_with_the_expected_schema_version(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "database": "reachable",
        "schema_version": expected_schema_version(),
        "expected_schema_version": expected_schema_version(),
        "problem": None,
    }


def test_readyz_is_not_ready_when_the_schema_version_differs(client: TestClient) -> None:
    current = expected_schema_version()
    client.app.dependency_overrides[expected_schema_version] = lambda: current + 1
    try:
        response = client.get("/readyz")
    finally:
        client.app.dependency_overrides.clear()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    body = response.json()
    assert body["status"] == "not ready" and body["database"] == "reachable"
    assert (body["schema_version"], body["expected_schema_version"]) == (current, current + 1)
    assert body["problem"].startswith(f"schema version {current}, expected {current + 1}")
    assert client.get("/readyz").status_code == 200  # the real expectation holds again


def test_readyz_is_not_ready_when_neo4j_is_unreachable(unreachable: TestClient) -> None:
    started = time.monotonic()
    response = unreachable.get("/readyz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json() == {
        "status": "not ready",
        "database": "unreachable",
        "schema_version": None,
        "expected_schema_version": expected_schema_version(),
        "problem": "Neo4j is unreachable",
    }
    for private in ("bolt", "127.0.0.1", SECRET, "neo4j:"):
        assert private not in response.text


def test_pages_and_api_answer_503_at_once_when_neo4j_is_unreachable(unreachable: TestClient) -> None:
    started = time.monotonic()
    for path in ("/", "/overview", "/schema", "/cases/case:anything"):
        assert_down(unreachable.get(path), html=True)
        assert_down(unreachable.get(path, headers={"accept": "application/json"}), html=False)
    assert_down(unreachable.get("/.json"), html=False)
    token = {"authorization": f"Bearer {analyst_token()}"}
    assert_down(unreachable.post("/api/cypher", json={"query": "RETURN 1"}, headers=token), html=False)
    assert time.monotonic() - started < 10


def test_one_app_down_leaves_another_ready(client: TestClient, unreachable: TestClient) -> None:
    assert unreachable.get("/readyz").status_code == 503
    assert client.get("/readyz").status_code == 200 and client.get("/").status_code == 200


def test_health_endpoints_are_public_when_reading_needs_an_account(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPREADGRAPH_READ_ACCESS", "signed-in")
    get_settings.cache_clear()
    try:
        assert client.get("/").status_code == 401
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "error",
    [
        ServiceUnavailable("Couldn't connect to 127.0.0.1:7687"),
        SessionExpired("Failed to read from defunct connection to 127.0.0.1:7687"),
        ConnectionRefusedError(111, "Connection refused"),
        DatabaseUnavailable(f"cannot reach Neo4j at bolt://neo4j:{SECRET}@127.0.0.1:7687"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_every_connection_error_becomes_the_same_503(error: Exception) -> None:
    """However a request meets a lost Neo4j (the driver's errors, a socket error, the project's
    own), it answers the same 503; no route needs its own handling."""
    app = create_app()
    probe = APIRouter()

    @probe.get("/probe-down")
    def _probe() -> None:
        raise error

    app.include_router(probe)
    with TestClient(app) as client:
        assert_down(client.get("/probe-down"), html=True)
        assert_down(client.get("/probe-down", headers={"accept": "application/json"}), html=False)


def test_compose_checks_the_app_through_readyz_with_a_host_it_answers_to() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    app = compose["services"]["spreadgraph"]
    probe = " ".join(app["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in probe
    assert "127.0.0.1:8000" in app["environment"]["SPREADGRAPH_ALLOWED_HOSTS"].split(",")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`GET /healthz`" in readme and "`GET /readyz`" in readme
