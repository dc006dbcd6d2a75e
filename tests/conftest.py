"""Shared fixtures: one real Neo4j per test session, started on a free loopback port.

The server is the project's own local Neo4j (embedded Community 5.26 LTS), with a throw-away
data folder. It is started with `--parent-pid`, so it stops by itself if pytest dies.
Set SPREADGRAPH_TEST_NEO4J_URI (+ NEO4J_USER/NEO4J_PASSWORD) to test against another server
instead (for example the docker-compose one); its database will be wiped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from neo4j import Driver
from spreadgraph.graph.connection import close_drivers, get_driver
from spreadgraph.graph.migrate import migrate
from spreadgraph.schema.migrations import MigrationContext
from spreadgraph.search.embedder import embedding_dimension

from bench.scratch import scratch_server
from spreadgraph.config import Settings, get_settings

# In-process tests talk to the app as Starlette's TestClient does, with `Host: testserver`.
os.environ.setdefault("SPREADGRAPH_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TAXONOMY_LABELS = (
    "CfirDomain",
    "CfirConstruct",
    "Cfir2009Construct",
    "EricStrategy",
    "EricCluster",
    "NasssDomain",
    "Concept",
    "SchemaMigration",
)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus/eval folder is not beside this clone")
    return path


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at the session's Neo4j (started here unless an external one is given)."""
    home = tmp_path_factory.mktemp("spreadgraph-home")
    external = os.environ.get("SPREADGRAPH_TEST_NEO4J_URI")
    if not external:
        with scratch_server(home, migrate=False):
            yield get_settings()
        return
    saved = dict(os.environ)
    os.environ.update(SPREADGRAPH_HOME=str(home), HF_HUB_OFFLINE="1", NEO4J_URI=external)
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        close_drivers()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def driver(neo4j_settings: Settings) -> Driver:
    """The process-wide driver to the session's Neo4j."""
    return get_driver(neo4j_settings)


def migration_context(settings: Settings) -> MigrationContext:
    return MigrationContext(embedding_dimension=embedding_dimension(settings.embedding_model))


@pytest.fixture(scope="session")
def migrated(driver: Driver, neo4j_settings: Settings) -> Driver:
    """The session's Neo4j with the schema and taxonomies applied."""
    migrate(migration_context(neo4j_settings), driver)
    return driver


def wipe_data(driver: Driver) -> None:
    """Delete everything but taxonomy, vocabulary and migration nodes (and what reviewers taught
    the vocabulary: taught concepts and aliases)."""
    driver.execute_query(
        "MATCH (n) WHERE none(label IN labels(n) WHERE label IN $keep) DETACH DELETE n",
        keep=list(TAXONOMY_LABELS),
    )
    driver.execute_query("MATCH (c:Concept {source: 'reviewer'}) DETACH DELETE c")
    driver.execute_query("MATCH (c:Concept) WHERE c.taught_aliases IS NOT NULL REMOVE c.taught_aliases")


@pytest.fixture
def graph(migrated: Driver) -> Iterator[Driver]:
    """A migrated graph with no case data, wiped again after the test."""
    wipe_data(migrated)
    yield migrated
    wipe_data(migrated)


def analyst_token(name: str = "test-analyst") -> str:
    """An API token of an analyst account (the console needs one), created on first use."""
    from spreadgraph.webui import auth

    if name not in auth.load_accounts():
        auth.add_user(name, "analyst", "analyst-password")
    return auth.new_token(name)


@contextmanager
def live_server(app: object, port: int | None = None) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on 127.0.0.1 (a free port unless given); yields its URL."""
    import threading
    import time

    import uvicorn

    from bench.scratch import free_port

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
