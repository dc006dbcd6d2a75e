"""Issue 17's fault test: Neo4j stopped and restarted while the web server runs: 503s, then 200s.

The test starts its own local Neo4j (a free loopback port, its own data folder), serves the app
with uvicorn, stops Neo4j and starts it again on the same port and data folder. Pages and the API
answer 503 with Retry-After while it is down and 200 once it is back, with no restart of the web
server. About a minute: two Neo4j starts.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from spreadgraph.graph.connection import get_driver
from spreadgraph.graph.local_server import LocalNeo4j
from spreadgraph.graph.migrate import migrate
from spreadgraph.webui.app import create_app

from bench.scratch import free_port
from spreadgraph.config import Settings, get_settings
from spreadgraph.errors import DatabaseDown
from tests.conftest import analyst_token, live_server, migration_context

pytestmark = pytest.mark.slow

PAGES = ("/", "/overview", "/schema")


@contextlib.contextmanager
def own_neo4j(home: Path) -> Iterator[tuple[LocalNeo4j, Settings]]:
    """A second local Neo4j with its own port, data folder and password, this process's settings
    pointed at it while the block runs. Unlike bench.scratch.scratch_server it closes only its own
    driver, so the session's driver stays open for the tests that come after this one."""
    saved = dict(os.environ)
    os.environ.update(
        SPREADGRAPH_HOME=str(home),
        SPREADGRAPH_NEO4J_PORT=str(free_port()),
        NEO4J_PASSWORD="fault-" + os.urandom(6).hex(),
        HF_HUB_OFFLINE="1",
    )
    os.environ.pop("NEO4J_URI", None)
    os.environ.pop("SPREADGRAPH_USERS_FILE", None)
    get_settings.cache_clear()
    settings = get_settings()
    server = LocalNeo4j(settings, parent_pid=os.getpid())
    server.start()
    try:
        yield server, settings
    finally:
        with contextlib.suppress(Exception):
            server.start()  # (if a failed assertion left it stopped) so its driver can be closed
            get_driver(settings).close()
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


def check_all(url: str, token: str, status: int) -> None:
    """Every page as HTML and JSON, and a console query through the API, answer `status`; a 503
    has Retry-After and the plain message."""
    with httpx.Client(base_url=url, timeout=60) as web:
        answers = [web.get(path) for path in PAGES]
        answers += [web.get(path, headers={"accept": "application/json"}) for path in PAGES]
        answers += [web.get("/.json")]
        answers += [web.post("/api/cypher", json={"query": "RETURN 1 AS one"}, headers=token)]
    for answer in answers:
        where = f"{answer.request.method} {answer.request.url.path} {answer.request.headers.get('accept')}"
        assert answer.status_code == status, (where, answer.text[:300])
        if status == 503:
            assert answer.headers["retry-after"] == str(DatabaseDown.retry_after), where
            assert "the database is not available right now" in answer.text, where
            assert "bolt://" not in answer.text and "Traceback" not in answer.text, where
            path, accept = answer.request.url.path, answer.request.headers.get("accept")
            wants_json = path.startswith("/api/") or path.endswith(".json") or accept == "application/json"
            kind = answer.headers["content-type"]
            assert kind.startswith("application/json" if wants_json else "text/html"), (where, kind)


def test_neo4j_stopped_and_restarted_while_the_web_server_runs(tmp_path: Path) -> None:
    with own_neo4j(tmp_path / "fault-home") as (server, settings):
        migrate(migration_context(settings), get_driver(settings))
        token = {"authorization": f"Bearer {analyst_token()}"}
        with live_server(create_app()) as url, httpx.Client(base_url=url, timeout=60) as web:
            check_all(url, token, 200)
            assert web.get("/readyz").json()["status"] == "ready"

            server.stop()
            # The first request meets the outage inside the driver's retries (up to 15 s per
            # transaction), and still answers 503 with Retry-After.
            first = web.get("/")
            assert first.status_code == 503 and first.headers["retry-after"], first.text[:300]
            # From then on the app checks the connection first and answers at once.
            started = time.monotonic()
            check_all(url, token, 503)
            assert time.monotonic() - started < 5, "503s should not wait for the driver's retries"
            assert web.get("/healthz").json() == {"status": "ok"}
            ready = web.get("/readyz")
            assert ready.status_code == 503 and ready.headers["retry-after"]
            assert ready.json()["database"] == "unreachable"

            server.start()  # the same port and data folder
            assert server.port == settings.local_port
            check_all(url, token, 200)
            assert web.get("/readyz").status_code == 200

            # A database behind the code's schema is reachable but not ready.
            version = web.get("/readyz").json()["schema_version"]
            get_driver(settings).execute_query(
                "MATCH (m:SchemaMigration {version: $version}) DETACH DELETE m", version=version
            )
            behind = web.get("/readyz")
            assert behind.status_code == 503 and behind.headers["retry-after"]
            assert behind.json()["problem"].startswith(f"schema version {version - 1}, expected {version}")
