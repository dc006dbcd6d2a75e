"""A private, throw-away local Neo4j for tests and benchmarks.

`scratch_server(home)` starts the project's local server on a free loopback port with its own
data folder and password, points this process's settings at it while the block runs, applies
the schema, and stops it afterwards. It is started with this process as its parent, so it also
stops by itself if the process dies.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.connection import close_drivers, get_driver
from spreadgraph.graph.local_server import LocalNeo4j

from spreadgraph.config import get_settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_server(home: Path, *, password: str | None = None, migrate: bool = True) -> Iterator[Driver]:
    """Yield a driver to a private local Neo4j whose data lives in `home` (kept; reuse it or delete it)."""
    saved = dict(os.environ)
    os.environ.update(
        SPREADGRAPH_HOME=str(home),
        SPREADGRAPH_NEO4J_PORT=str(free_port()),
        NEO4J_PASSWORD=password or "scratch-" + os.urandom(6).hex(),
        HF_HUB_OFFLINE="1",
    )
    os.environ.pop("NEO4J_URI", None)
    get_settings.cache_clear()
    settings = get_settings()
    server = LocalNeo4j(settings, parent_pid=os.getpid())
    server.start()
    try:
        driver = get_driver(settings)
        if migrate:
            from spreadgraph.graph.migrate import migrate as apply_migrations
            from spreadgraph.schema.migrations import MigrationContext
            from spreadgraph.search.embedder import embedding_dimension

            apply_migrations(MigrationContext(embedding_dimension(settings.embedding_model)), driver)
        yield driver
    finally:
        close_drivers()
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
