"""One Neo4j driver per process, managed transactions, and clear errors when the server is away.

The driver's managed transactions (`execute_query`, `session.execute_read/write`) retry
transient errors (leader changes, deadlocks, brief outages) on their own; everything in
spreadgraph goes through them. A memory error is transient to the driver too, but the same
query would only run out of memory again: the helpers here raise it at once as DatabaseBusy
(503 with Retry-After), as they do a transient failure that outlived the retries. The console's
guarded queries (graph/guard.py) keep their own mapping: `fail_fast_on_memory`, QueryFailed (400).
"""

from __future__ import annotations

import functools
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from spreadgraph.config import Settings, get_settings
from spreadgraph.errors import DatabaseUnavailable, QueryFailed

T = TypeVar("T")

_lock = threading.Lock()
_drivers: dict[tuple[str, str, str], Driver] = {}
_versions: weakref.WeakKeyDictionary[Driver, tuple[int, ...]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Target:
    """Where and how to connect; `external` is True when NEO4J_URI names the server."""

    uri: str
    user: str
    password: str
    database: str
    external: bool


def resolve_target(settings: Settings | None = None) -> Target:
    """NEO4J_URI if set, else the project-managed local server."""
    settings = settings or get_settings()
    if settings.neo4j_uri:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        return Target(settings.neo4j_uri, settings.neo4j_user, password, settings.neo4j_database, True)
    from spreadgraph.graph.local_server import LocalNeo4j, local_password

    local = LocalNeo4j(settings)
    return Target(local.uri, "neo4j", local_password(settings), settings.neo4j_database, False)


def get_driver(settings: Settings | None = None) -> Driver:
    """The process-wide driver for the configured server (created and verified on first use)."""
    target = resolve_target(settings)
    key = (target.uri, target.user, target.password)
    with _lock:
        driver = _drivers.get(key)
        if driver is None:
            driver = _open(target)
            _drivers[key] = driver
    return driver


def _open(target: Target) -> Driver:
    try:
        driver = GraphDatabase.driver(
            target.uri,
            auth=(target.user, target.password),
            connection_timeout=5.0,
            max_transaction_retry_time=15.0,
            notifications_min_severity="OFF",
        )
        driver.verify_connectivity()
    except (ServiceUnavailable, OSError) as exc:
        where = "NEO4J_URI" if target.external else "the local server"
        hint = (
            "check NEO4J_URI and that the server is up"
            if target.external
            else "run `spreadgraph neo4j start` (or set NEO4J_URI)"
        )
        raise DatabaseUnavailable(
            f"cannot reach Neo4j at {target.uri} ({where}): {_first_line(exc)}", hint=hint
        ) from None
    except AuthError:
        raise DatabaseUnavailable(
            f"Neo4j at {target.uri} refused the credentials for user '{target.user}'",
            hint="check NEO4J_USER / NEO4J_PASSWORD",
        ) from None
    except (ConfigurationError, ValueError) as exc:
        raise DatabaseUnavailable(f"invalid Neo4j URI {target.uri!r}: {_first_line(exc)}") from None
    return driver


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(" :")


def close_drivers() -> None:
    """Close every driver this process opened (tests and shutdown)."""
    with _lock:
        for driver in _drivers.values():
            driver.close()
        _drivers.clear()


def server_version(driver: Driver | None = None) -> tuple[int, ...]:
    """The Neo4j version of `driver`'s server as numbers, (5, 26, 30) or (2026, 8, 1); read once
    per driver (`dbms.components`)."""
    driver = driver or get_driver()
    with _lock:
        known = _versions.get(driver)
    if known is not None:
        return known
    rows = read(
        "CALL dbms.components() YIELD name, versions WHERE name = 'Neo4j Kernel' RETURN versions[0] AS v",
        driver=driver,
    )
    text = str(rows[0]["v"]) if rows else ""
    version = tuple(int(part) for part in re.findall(r"\d+", text)[:3])
    with _lock:
        _versions[driver] = version
    return version


def database(settings: Settings | None = None) -> str:
    return (settings or get_settings()).neo4j_database


MEMORY_ERROR = (
    "the query needs more memory than the server allows; return less (LIMIT, fewer or smaller values)"
)


def is_memory_error(exc: Neo4jError) -> bool:
    """True for Neo4j's out-of-memory errors (transaction or pool limit, heap), which retrying won't fix."""
    code = exc.code or ""
    return code.startswith("Neo.TransientError.") and "Memory" in code


def fail_fast_on_memory(
    work: Callable[[ManagedTransaction], T], error: Callable[[], QueryFailed] | None = None
) -> Callable[[ManagedTransaction], T]:
    """Wrap a transaction function so a memory error ends it at once (not retried) with `error()`,
    by default QueryFailed (400: the query asked for too much)."""

    @functools.wraps(work)
    def wrapped(tx: ManagedTransaction) -> T:
        try:
            return work(tx)
        except Neo4jError as exc:
            if is_memory_error(exc):
                raise (error() if error else QueryFailed(MEMORY_ERROR)) from exc
            raise

    return wrapped


BUSY_ERROR = "the database is busy right now; try again in a few seconds"
BUSY_MEMORY_ERROR = "the query needs more memory than the server allows right now"
RETRY_AFTER = 5  # seconds, sent as Retry-After with DatabaseBusy


class DatabaseBusy(QueryFailed):
    """An application query ran out of memory, or a transient failure outlived the driver's
    retries: 503 with Retry-After and a plain message (the request itself was fine)."""

    status = 503
    code = "database_busy"
    retry_after = RETRY_AFTER


def _busy_on_memory(work: Callable[[ManagedTransaction], T]) -> Callable[[ManagedTransaction], T]:
    """Wrap an application transaction so a memory error ends it at once with DatabaseBusy."""
    return fail_fast_on_memory(
        work,
        lambda: DatabaseBusy(
            BUSY_MEMORY_ERROR, hint="try again shortly; if it keeps failing, tell the maintainers"
        ),
    )


def _run(session: neo4j.Session, write: bool, work: Callable[[ManagedTransaction], T]) -> T:
    """One managed transaction; a transient failure left after the driver's retries is DatabaseBusy."""
    try:
        if write:
            return session.execute_write(_busy_on_memory(work))
        return session.execute_read(_busy_on_memory(work))
    except (TransientError, SessionExpired) as exc:
        raise DatabaseBusy(BUSY_ERROR, hint="try again shortly") from exc
    except ServiceUnavailable as exc:
        raise DatabaseUnavailable(f"lost the connection to Neo4j: {_first_line(exc)}") from exc


def _statement(query: str, params: dict[str, Any] | None) -> Callable[[ManagedTransaction], list[dict]]:
    def work(tx: ManagedTransaction) -> list[dict]:
        return [record.data() for record in tx.run(query, params or {})]

    return work


def write(query: str, params: dict[str, Any] | None = None, *, driver: Driver | None = None) -> list[dict]:
    """Run one parameterised write statement in a managed (retried) transaction."""
    driver = driver or get_driver()
    with driver.session(
        database=database(), bookmark_manager=driver.execute_query_bookmark_manager
    ) as session:
        return _run(session, True, _statement(query, params))


def read(query: str, params: dict[str, Any] | None = None, *, driver: Driver | None = None) -> list[dict]:
    """Run one parameterised read statement in a managed (retried) READ transaction."""
    driver = driver or get_driver()
    with driver.session(
        database=database(),
        default_access_mode=neo4j.READ_ACCESS,
        bookmark_manager=driver.execute_query_bookmark_manager,
    ) as session:
        return _run(session, False, _statement(query, params))


def write_tx(work: Callable[[ManagedTransaction], T], *, driver: Driver | None = None) -> T:
    """Run `work(tx)` as one atomic, retried write transaction (all or nothing)."""
    driver = driver or get_driver()
    with driver.session(database=database()) as session:
        return _run(session, True, work)


def read_tx(work: Callable[[ManagedTransaction], T], *, driver: Driver | None = None) -> T:
    """Run `work(tx)` as one retried read transaction."""
    driver = driver or get_driver()
    with driver.session(database=database(), default_access_mode=neo4j.READ_ACCESS) as session:
        return _run(session, False, work)


def read_rows(
    statement: str, params: dict[str, Any], *, driver: Driver | None = None
) -> list[dict[str, Any]]:
    """Rows of one read statement (in a retried read transaction) as plain dicts.

    Only for statements that return plain values, lists and maps (no nodes or relationships):
    ``dict(zip(keys, record))`` skips the per-value conversion of ``Record.data()``, which cost
    ~10 ms per 260 rows of 20 columns on the benchmark machine (docs/benchmarks.md).
    """

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        result = tx.run(statement, params)
        keys = result.keys()
        return [dict(zip(keys, record, strict=True)) for record in result]

    return read_tx(work, driver=driver)
