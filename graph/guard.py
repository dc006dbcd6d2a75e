"""Read-only Cypher for analysts: the one guard the CLI and the web console share.

Layers, each independent:
1. the text check (`check_denied`): a Cypher lexer (graph/cypher_tokens.py) splits the query as
   Neo4j does (strings, comments, backtick names, \\uXXXX escapes), then LOAD CSV, SHOW, USE,
   write, schema and admin keywords, IN TRANSACTIONS, dbms.* names, a CALL of a procedure off
   READ_PROCEDURES and a namespaced function outside PURE_FUNCTION_NAMESPACES are refused;
2. Neo4j's own parser: `EXPLAIN` must report the query type as read-only ("r");
3. and its plan (`check_plan`) must hold no LoadCSV, Show*, Terminate*, administration or
   IN TRANSACTIONS operator and no ProcedureCall off READ_PROCEDURES (`SHOW SETTINGS` and
   `LOAD CSV ... RETURN` plan as reads, so layer 2 alone lets them through);
4. the query runs in a READ-access-mode transaction: the boundary the server enforces;
5. a server-side transaction timeout; a memory error fails at once instead of being retried;
6. a row cap and a byte cap (JSON size, estimated as rows arrive) that report truncation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Literal

import neo4j
from neo4j import Driver
from neo4j.exceptions import ClientError, Neo4jError, TransientError
from spreadgraph.graph.connection import MEMORY_ERROR, database, fail_fast_on_memory, is_memory_error
from spreadgraph.graph.cypher_tokens import CypherLexError, Token, tokenize

from spreadgraph.config import get_settings
from spreadgraph.errors import QueryFailed, QueryRefused

MAX_QUERY_CHARS = 20_000

#: The only procedures a console query may CALL: they read the schema or search indexes.
READ_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.vector.queryNodes",
        "db.index.vector.queryRelationships",
        "dbms.components",
    }
)
#: Namespaces of pure built-in functions (lower case); functions without a namespace are allowed.
PURE_FUNCTION_NAMESPACES = frozenset(
    {"date", "datetime", "localdatetime", "time", "localtime", "duration", "point", "vector.similarity"}
)
PURE_FUNCTIONS = frozenset({"db.nameFromElementId".lower()})

_WRITES = frozenset({"CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "INSERT"})
_ADMIN = frozenset(
    {"GRANT", "REVOKE", "DENY", "ALTER", "RENAME", "START", "STOP", "TERMINATE", "ENABLE", "DISABLE"}
    | {"DEALLOCATE", "REALLOCATE"}  # server commands of Enterprise clusters
)
# After these a word is a property key, label or type, or parameter name: never a keyword.
_NAME_AFTER = (".", ":", "|", "&", "!", "$")
LOAD_CSV = "LOAD CSV reads files or URLs, which the console does not allow"
DBMS = "dbms.* procedures administer the server"


def check_denied(query: str) -> None:
    """Raise QueryRefused with a reason when the text uses a denied feature."""
    if not query.strip():
        raise QueryRefused("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryRefused(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    try:
        tokens = tokenize(query)
    except CypherLexError as exc:
        raise QueryRefused(str(exc)) from None
    if not tokens:
        raise QueryRefused("the query is empty")
    for i, token in enumerate(tokens):
        word = _keyword(tokens, i)
        if word:
            _check_keyword(tokens, i, word)
        if token.kind in ("word", "name") and not (i and tokens[i - 1].is_symbol(".")):
            name, end = _dotted_name(tokens, i)
            if name.lower().startswith("dbms.") and name != "dbms.components":
                raise QueryRefused(DBMS)
            called = end < len(tokens) and tokens[end].is_symbol("(")
            if called and not (i and _keyword(tokens, i - 1) == "CALL"):
                _check_function(name)


def _keyword(tokens: list[Token], i: int) -> str | None:
    """The word at `i` in upper case, unless it is a name (property, label, parameter, map key)."""
    if tokens[i].kind != "word" or (i and tokens[i - 1].is_symbol(*_NAME_AFTER)):
        return None
    if i + 1 < len(tokens) and tokens[i + 1].is_symbol(":"):
        return None
    return tokens[i].text.upper()


def _check_keyword(tokens: list[Token], i: int, word: str) -> None:
    if word == "LOAD":
        raise QueryRefused(LOAD_CSV)
    if word == "SHOW":
        raise QueryRefused("SHOW commands list server settings, users and transactions; not allowed here")
    if word == "USE":
        raise QueryRefused("USE selects another database; the console reads only this one")
    if word in _WRITES:
        raise QueryRefused(f"the console is read-only: {word} changes the graph")
    if word in _ADMIN:
        raise QueryRefused(f"administration commands ({word}) are not allowed")
    if word == "TRANSACTIONS" and _after_subquery(tokens, i):
        raise QueryRefused("CALL ... IN TRANSACTIONS is for batched writes")
    if word == "CALL":
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is not None and after.is_symbol("{", "("):
            return  # a subquery
        if after is None or after.kind not in ("word", "name"):
            raise QueryRefused("CALL must name a procedure or open a subquery")
        _check_procedure(_dotted_name(tokens, i + 1)[0])


def _after_subquery(tokens: list[Token], i: int) -> bool:
    """True when TRANSACTIONS at `i` ends `} IN [n CONCURRENT] TRANSACTIONS` (not `x IN transactions`)."""
    before = _keyword(tokens, i - 1) if i else None
    return before == "CONCURRENT" or (before == "IN" and i > 1 and tokens[i - 2].is_symbol("}"))


def _dotted_name(tokens: list[Token], i: int) -> tuple[str, int]:
    """The dotted name starting at token `i` (backtick parts too) and the index just after it."""
    parts, j = [tokens[i].text], i + 1
    while j + 1 < len(tokens) and tokens[j].is_symbol(".") and tokens[j + 1].kind in ("word", "name"):
        parts.append(tokens[j + 1].text)
        j += 2
    return ".".join(parts), j


def _check_procedure(name: str) -> None:
    if name in READ_PROCEDURES:
        return
    if name.lower().startswith("dbms."):
        raise QueryRefused(DBMS)
    raise QueryRefused(f"{name} is not one of the read procedures the console allows")


def _check_function(name: str) -> None:
    lowered = name.lower()
    namespace = lowered.rpartition(".")[0]
    if namespace and namespace not in PURE_FUNCTION_NAMESPACES and lowered not in PURE_FUNCTIONS:
        raise QueryRefused(f"{name}() is not one of the functions the console allows")


def check_plan(plan: Mapping[str, Any] | None) -> None:
    """Refuse an `EXPLAIN` plan that loads files, runs a command or calls a procedure off the list."""
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        operator = str(node.get("operatorType", "")).partition("@")[0]
        args = node.get("args") or {}
        if operator == "LoadCSV":
            raise QueryRefused(LOAD_CSV)
        if (
            operator.startswith(("Show", "Terminate", "Transaction"))
            or operator == "AdministrationCommand"
            or args.get("planner") == "ADMINISTRATION"
            or args.get("runtime") in ("SYSTEM", "SCHEMA")
        ):
            raise QueryRefused(f"the console only reads the graph: {operator or 'this'} is a command")
        if operator.endswith("ProcedureCall"):
            _check_procedure(str(args.get("Details", "")).partition("(")[0].strip())
        stack.extend(node.get("children") or ())


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int
    elapsed_ms: float = 0.0
    notices: list[str] = field(default_factory=list)
    byte_cap: int = 0
    truncated_by: Literal["rows", "bytes"] | None = None

    @property
    def cap_note(self) -> str:
        """What cut the result, for people: '' when nothing did."""
        if self.truncated_by == "bytes":
            return f"stopped at the cap of {self.byte_cap:,} bytes"
        return f"stopped at the cap of {self.row_cap:,} rows" if self.truncated else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "columns": self.columns,
            "rows": self.rows,
            "truncated": self.truncated,
            "row_cap": self.row_cap,
            "byte_cap": self.byte_cap,
            "truncated_by": self.truncated_by,
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


_END = object()


def json_size(value: Any, budget: int) -> int:
    """About how many bytes `value` takes as JSON (after to_plain); stops counting past `budget`."""
    size, stack = 0, [iter((value,))]
    while stack and size <= budget:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        size += 1  # a comma or colon
        if isinstance(item, str):
            size += 2 + (len(item) if item.isascii() else len(item.encode("utf-8", "surrogatepass")))
        elif isinstance(item, neo4j.graph.Node):
            size += 12
            stack.append(chain(item.labels, _pairs(item, skip="embedding")))
        elif isinstance(item, neo4j.graph.Relationship):
            size += 10
            stack.append(chain((item.type,), _pairs(item)))
        elif isinstance(item, neo4j.graph.Path):
            size += 30
            stack.append(chain(item.nodes, item.relationships))
        elif isinstance(item, dict):
            size += 2
            stack.append(_pairs(item))
        elif isinstance(item, (list, tuple)):
            size += 2
            stack.append(iter(item))
        else:
            size += len(item.iso_format() if hasattr(item, "iso_format") else str(item))
    return size


def _pairs(mapping: Any, skip: str | None = None) -> Iterator[Any]:
    return chain.from_iterable((k, v) for k, v in mapping.items() if k != skip)


def _read_rows(
    result: neo4j.Result, row_cap: int, byte_cap: int
) -> tuple[list[dict[str, Any]], Literal["rows", "bytes"] | None]:
    """Rows up to the row cap and the byte cap, and which cap stopped them (None: all rows)."""
    rows: list[dict[str, Any]] = []
    used = 2
    for record in result:
        if len(rows) == row_cap:
            return rows, "rows"
        used += json_size(dict(record.items()), byte_cap - used)
        if used > byte_cap:
            return rows, "bytes"
        rows.append({k: to_plain(v) for k, v in record.items()})
    return rows, None


def run_read_only(
    driver: Driver,
    query: str,
    params: dict[str, Any] | None = None,
    *,
    timeout: float = 10.0,
    row_cap: int = 1000,
    byte_cap: int | None = None,
) -> QueryResult:
    """Run an analyst's query through every layer of the guard (byte_cap: query_byte_cap)."""
    check_denied(query)
    params = params or {}
    cap = get_settings().query_byte_cap if byte_cap is None else byte_cap

    def work(tx: neo4j.ManagedTransaction) -> QueryResult:
        check_explained(tx, query, params)
        result = tx.run(query, params)
        columns = list(result.keys())
        rows, stopped_by = _read_rows(result, row_cap, cap)
        done = result.consume()
        elapsed = (done.result_available_after or 0) + (done.result_consumed_after or 0)
        return QueryResult(
            columns,
            rows,
            stopped_by is not None,
            row_cap,
            float(elapsed),
            byte_cap=cap,
            truncated_by=stopped_by,
        )

    try:
        with driver.session(database=database(), default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(neo4j.unit_of_work(timeout=timeout)(fail_fast_on_memory(work)))
    except (QueryRefused, QueryFailed):
        raise
    except (ClientError, TransientError) as exc:
        raise explain_failure(exc, timeout) from None
    except Neo4jError as exc:
        raise QueryFailed(f"the database could not run the query: {exc.message}") from None


def check_explained(
    tx: neo4j.ManagedTransaction | neo4j.Transaction, query: str, params: dict[str, Any]
) -> None:
    """EXPLAIN `query` in `tx`: refuse it unless the server plans a plain read with allowed operators."""
    summary = tx.run("EXPLAIN " + query, params).consume()
    check_plan(summary.plan)
    if summary.query_type != "r":
        kind = {"w": "writes", "rw": "reads and writes", "s": "is a schema or server command"}.get(
            summary.query_type or "", "is not a plain read"
        )
        raise QueryRefused(f"the console is read-only: this query {kind}")


def explain_failure(exc: Neo4jError, timeout: float) -> Exception:
    code = exc.code or ""
    message = (exc.message or "").strip().splitlines()[0] if exc.message else code
    if is_memory_error(exc):
        return QueryFailed(MEMORY_ERROR)
    if "TransactionTimedOut" in code or "Terminated" in code or "timed out" in message.lower():
        return QueryFailed(f"the query ran longer than the {timeout:g} s limit and was stopped")
    if "AccessMode" in code or "Forbidden" in code:
        return QueryRefused(f"the console is read-only: {message}")
    if "SyntaxError" in code:
        return QueryFailed(f"Cypher syntax error: {message}")
    if "ParameterMissing" in code:
        return QueryFailed(f"missing parameter: {message}")
    return QueryFailed(f"the database refused the query: {message}")
