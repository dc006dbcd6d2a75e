"""Streaming an analyst's read-only query: rows as they arrive, for large answers (`cypher -f csv`).

The same layers as graph/guard.py's `run_read_only` (text check, EXPLAIN query type and plan, a
READ-mode transaction, the server-side timeout), but rows are handed on one at a time instead of
being collected, so there is no byte cap, and a row cap only when asked for (`max_rows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import Driver
from neo4j.exceptions import ClientError, Neo4jError, TransientError
from spreadgraph.graph.connection import database
from spreadgraph.graph.guard import check_denied, check_explained, explain_failure, to_plain

from spreadgraph.errors import QueryFailed, QueryRefused


@dataclass
class ReadStream:
    """The columns of a running query and its rows; `truncated` is set once `max_rows` cut them."""

    columns: list[str]
    result: neo4j.Result
    max_rows: int = 0  # 0: no cap
    truncated: bool = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for count, record in enumerate(self.result):
            if self.max_rows and count == self.max_rows:
                self.truncated = True
                return
            yield {k: to_plain(v) for k, v in record.items()}


@contextmanager
def stream_read_only(
    driver: Driver,
    query: str,
    params: dict[str, Any] | None = None,
    *,
    timeout: float = 10.0,
    max_rows: int = 0,
) -> Iterator[ReadStream]:
    """Check `query` like the guard, run it in a READ transaction and yield its streaming rows."""
    check_denied(query)
    params = params or {}
    try:
        with (
            driver.session(database=database(), default_access_mode=neo4j.READ_ACCESS) as session,
            session.begin_transaction(timeout=timeout) as tx,
        ):
            check_explained(tx, query, params)
            result = tx.run(query, params)
            yield ReadStream(list(result.keys()), result, max_rows)
    except (QueryRefused, QueryFailed):
        raise
    except (ClientError, TransientError) as exc:
        raise explain_failure(exc, timeout) from None
    except Neo4jError as exc:
        raise QueryFailed(f"the database could not run the query: {exc.message}") from None
