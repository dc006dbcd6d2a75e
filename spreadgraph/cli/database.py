"""`spreadgraph init` (schema migrations) and `spreadgraph cypher` (read-only queries)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from spreadgraph.config import get_settings
from spreadgraph.graph.connection import get_driver
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
    fmt: str = typer.Option("table", "--format", "-f", help="table | json | csv"),
) -> None:
    """Run a read-only Cypher query (READ mode, timeout, row cap) and print the rows."""
    if fmt not in {"table", "json", "csv"}:
        raise typer.BadParameter("--format must be table, json or csv")
    settings = get_settings()
    params = dict(_parse_param(p) for p in param)
    result = run_read_only(
        get_driver(settings), query, params, timeout=settings.query_timeout, row_cap=settings.query_row_cap
    )
    if fmt == "json":
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=result.columns)
        writer.writeheader()
        for row in result.rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        typer.echo(buffer.getvalue(), nl=False)
    else:
        table = Table(*result.columns)
        for row in result.rows:
            table.add_row(*(_cell(row[c]) for c in result.columns))
        out.print(table)
        out.print(f"{len(result.rows)} row(s)" + (f", {result.cap_note}" if result.truncated else ""))
    if result.truncated:
        typer.echo(f"warning: result truncated: {result.cap_note}", err=True)


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(cypher)
