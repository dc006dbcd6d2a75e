"""Read-only Cypher for analysts: the one guard the CLI and the web console share.

Layers, each independent:
1. a deny-list with plain reasons (LOAD CSV, dbms.*, admin/write procedures, subqueries in
   transactions, schema and user commands);
2. `EXPLAIN` must report the query type as read-only ("r");
3. the query runs in a READ-access-mode transaction: the boundary the server enforces;
4. a server-side transaction timeout;
5. a row cap that reports truncation instead of streaming everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j import Driver
from neo4j.exceptions import ClientError, Neo4jError, TransientError
from spreadgraph.graph.connection import database

from spreadgraph.errors import QueryFailed, QueryRefused

MAX_QUERY_CHARS = 20_000

# A clause keyword, not a property (`n.start`), label (`:Set`), parameter or map key (`{set: 1}`).
_KEYWORD = r"(?<![.:$\w])({})\b(?!\s*:)"

# (pattern, reason) pairs; patterns are matched against the query with comments and
# string literals blanked out, so a word inside a string does not trip them.
DENY: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (r"\bLOAD\s+CSV\b", "LOAD CSV reads files or URLs, which the console does not allow"),
        (r"\bdbms\s*\.", "dbms.* procedures administer the server"),
        (r"\bapoc\s*\.", "APOC procedures can write or reach files and the network"),
        (r"\bgds\s*\.", "graph data science procedures can write to the graph"),
        (
            r"\bdb\s*\.\s*(create|index\.fulltext\.(create|drop)|clear|checkpoint)",
            "this db.* procedure changes the database",
        ),
        (r"\bIN\s+TRANSACTIONS\b", "CALL ... IN TRANSACTIONS is for batched writes"),
        (
            _KEYWORD.format("GRANT|REVOKE|DENY|ALTER|RENAME|START|STOP|TERMINATE"),
            "administration commands ({word}) are not allowed",
        ),
        (
            _KEYWORD.format("CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH"),
            "the console is read-only: {word} changes the graph",
        ),
        (_KEYWORD.format("USE"), "USE selects another database; the console reads only this one"),
    )
)

_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_STRINGS = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")
_IDENTIFIERS = re.compile(r"`[^`]*`")


def _blank_literals(query: str) -> str:
    """Replace comments, strings and quoted identifiers by blanks (keeps positions)."""

    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group(0))

    return _IDENTIFIERS.sub(blank, _STRINGS.sub(blank, _COMMENTS.sub(blank, query)))


def check_denied(query: str) -> None:
    """Raise QueryRefused with a reason when the text uses a denied feature."""
    if not query.strip():
        raise QueryRefused("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    code = _blank_literals(query)
    for pattern, reason in DENY:
        match = pattern.search(code)
        if match:
            raise QueryRefused(reason.format(word=match.group(1).upper() if match.groups() else ""))


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int
    elapsed_ms: float = 0.0
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "columns": self.columns,
            "rows": self.rows,
            "truncated": self.truncated,
            "row_cap": self.row_cap,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


def to_plain(value: Any) -> Any:
    """Turn driver values (nodes, relationships, paths, temporals) into JSON-friendly data."""
    if isinstance(value, neo4j.graph.Node):
        return {
            "labels": sorted(value.labels),
            **{k: to_plain(v) for k, v in value.items() if k != "embedding"},
        }
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        return {
            "nodes": [to_plain(n) for n in value.nodes],
            "relationships": [to_plain(r) for r in value.relationships],
        }
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def run_read_only(
    driver: Driver,
    query: str,
    params: dict[str, Any] | None = None,
    *,
    timeout: float = 10.0,
    row_cap: int = 1000,
) -> QueryResult:
    """Run an analyst's query through every layer of the guard."""
    check_denied(query)
    params = params or {}

    def work(tx: neo4j.ManagedTransaction) -> QueryResult:
        summary = tx.run("EXPLAIN " + query, params).consume()
        if summary.query_type != "r":
            kind = {"w": "writes", "rw": "reads and writes", "s": "changes the schema"}.get(
                summary.query_type or "", "is not a plain read"
            )
            raise QueryRefused(f"the console is read-only: this query {kind}")
        result = tx.run(query, params)
        columns = list(result.keys())
        rows: list[dict[str, Any]] = []
        truncated = False
        for record in result:
            if len(rows) == row_cap:
                truncated = True
                break
            rows.append({k: to_plain(v) for k, v in record.items()})
        done = result.consume()
        elapsed = (done.result_available_after or 0) + (done.result_consumed_after or 0)
        return QueryResult(columns, rows, truncated, row_cap, float(elapsed))

    try:
        with driver.session(database=database(), default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(neo4j.unit_of_work(timeout=timeout)(work))
    except (QueryRefused, QueryFailed):
        raise
    except (ClientError, TransientError) as exc:
        raise _explain_failure(exc, timeout) from None
    except Neo4jError as exc:
        raise QueryFailed(f"the database could not run the query: {exc.message}") from None


def _explain_failure(exc: Neo4jError, timeout: float) -> Exception:
    code = exc.code or ""
    message = (exc.message or "").strip().splitlines()[0] if exc.message else code
    if "TransactionTimedOut" in code or "Terminated" in code or "timed out" in message.lower():
        return QueryFailed(f"the query ran longer than the {timeout:g} s limit and was stopped")
    if "AccessMode" in code or "Forbidden" in code:
        return QueryRefused(f"the console is read-only: {message}")
    if "SyntaxError" in code:
        return QueryFailed(f"Cypher syntax error: {message}")
    if "ParameterMissing" in code:
        return QueryFailed(f"missing parameter: {message}")
    return QueryFailed(f"the database refused the query: {message}")
