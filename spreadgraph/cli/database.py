"""`spreadgraph init` (schema migrations) and `spreadgraph cypher` (read-only queries)."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from spreadgraph.config import get_settings
from spreadgraph.graph.connection import get_driver
from spreadgraph.graph.export_query import stream_read_only
from spreadgraph.graph.guard import run_read_only
from spreadgraph.graph.migrate import migrate
from spreadgraph.schema.migrations import MigrationContext
from spreadgraph.search.embedder import embedding_dimension

out = Console(highlight=False, soft_wrap=True)


def init() -> None:
    """Apply the graph schema: constraints, indexes and taxonomies (safe to run again)."""
    settings = get_settings()
    ctx = MigrationContext(embedding_dimension=embedding_dimension(settings.embedding_model))
    results = migrate(ctx, get_driver(settings))
    for result in results:
        out.print(f"  {result.version:>3}  {result.action:<9}  {result.name}")
    changed = sum(r.action != "unchanged" for r in results)
    out.print(
        f"schema at version {max(r.version for r in results)}; "
        f"{changed} migration(s) applied, {len(results) - changed} unchanged"
    )


def _parse_param(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"{text!r}: write --param name=value")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name.strip(), value


def cypher(
    query: str = typer.Argument(..., help="A read-only Cypher query."),
    param: list[str] = typer.Option([], "--param", "-p", help="Query parameter name=value (JSON or text)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table | json | csv (csv streams the rows)"),
    max_rows: int | None = typer.Option(
        None,
        "--max-rows",
        min=0,
        help="Row cap (0: none). Default: SPREADGRAPH_QUERY_ROW_CAP for table and json, none for csv.",
    ),
) -> None:
    """Run a read-only Cypher query (READ mode, timeout, row cap) and print the rows."""
    if fmt not in {"table", "json", "csv"}:
        raise typer.BadParameter("--format must be table, json or csv")
    settings = get_settings()
    params = dict(_parse_param(p) for p in param)
    if fmt == "csv":
        _stream_csv(query, params, max_rows or 0)
        return
    cap = settings.query_row_cap if max_rows is None else max_rows or sys.maxsize
    result = run_read_only(get_driver(settings), query, params, timeout=settings.query_timeout, row_cap=cap)
    if fmt == "json":
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*(_cell(row[c]) for c in result.columns))
        out.print(table)
        out.print(f"{len(result.rows)} row(s)" + (f", {result.cap_note}" if result.truncated else ""))
    if result.truncated:
        typer.echo(f"warning: result truncated: {result.cap_note}", err=True)


def _stream_csv(query: str, params: dict[str, Any], max_rows: int) -> None:
    """Write the header, then each row to stdout as it arrives (flushed every 1,000 rows)."""
    settings = get_settings()
    stdout = sys.stdout
    with stream_read_only(
        get_driver(settings), query, params, timeout=settings.query_timeout, max_rows=max_rows
    ) as stream:
        writer = csv.DictWriter(stdout, fieldnames=stream.columns)
        writer.writeheader()
        for count, row in enumerate(stream, 1):
            writer.writerow({k: _cell(v) for k, v in row.items()})
            if count % 1000 == 0:
                stdout.flush()
    stdout.flush()
    if stream.truncated:
        typer.echo(f"warning: result truncated: stopped at the cap of {max_rows:,} rows", err=True)


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(cypher)
