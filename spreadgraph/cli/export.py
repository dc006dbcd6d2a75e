"""`spreadgraph export`: the case–barrier–approach graph as CSV, JSON lines or GraphML."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer

from spreadgraph.config import get_settings
from spreadgraph.graph.connection import get_driver
from spreadgraph.graph.export_formats import FORMATS, Format
from spreadgraph.graph.export_formats import export as write_export


def export(
    fmt: str = typer.Option(..., "--format", "-f", help="csv | jsonl (a folder) or graphml (one file)"),
    out: Path = typer.Option(..., "--out", "-o", help="Folder (csv, jsonl) or .graphml file to write."),
    published_only: bool = typer.Option(
        False, "--published-only", help="Only published cases and the claims of theirs not rejected."
    ),
) -> None:
    """Export cases, barriers, enablers, approaches and their claims with evidence references and codes."""
    if fmt not in FORMATS:
        raise typer.BadParameter("--format must be csv, jsonl or graphml")
    driver = get_driver(get_settings())
    result = write_export(driver, cast(Format, fmt), out, published_only=published_only)
    for path in result.paths:
        typer.echo(str(path))
    scope = "published cases" if published_only else "all cases"
    typer.echo(f"{result.nodes:,} node(s) and {result.edges:,} edge(s) exported ({scope})", err=True)


def register(app: typer.Typer) -> None:
    app.command()(export)
