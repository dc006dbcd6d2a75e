"""`spreadgraph validate FILE...` and `spreadgraph ingest FILE|DIR...`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from spreadgraph.errors import SpreadgraphError
from spreadgraph.ingest.dispatch import expand, kind_of
from spreadgraph.ingest.templates.pipeline import check_file
from spreadgraph.ingest.templates.problems import TemplateInvalid

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def validate(
    files: list[Path] = typer.Argument(..., help="Template files (.yaml, .yml, .json) or folders."),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Check case templates without writing anything; list every problem (exit 1 if any)."""
    report = []
    for path in expand(files):
        _, problems = check_file(path)
        report.append({"file": str(path), "ok": not problems, "problems": [p.as_dict() for p in problems]})
        if not as_json:
            for problem in problems:
                out.print(problem.render(), markup=False)
            if not problems:
                out.print(f"{path}: ok", markup=False)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    bad = sum(not r["ok"] for r in report)
    if not as_json:
        err.print(f"{len(report)} file(s) checked, {bad} with problems")
    raise typer.Exit(1 if bad or not report else 0)


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders to ingest (templates for now)."),
) -> None:
    """Ingest templates: one transaction per case, so a bad file writes nothing (exit 1 if any fail)."""
    files = expand(paths)
    failed = 0
    for path in files:
        kind = kind_of(path)
        if kind is None:
            err.print(f"{path}: skipped (not a file type spreadgraph can ingest)", markup=False)
            failed += 1
            continue
        try:
            out.print(kind.ingest(path), markup=False)
        except TemplateInvalid as exc:
            failed += 1
            for problem in exc.problems:
                err.print(problem.render(), markup=False)
            err.print(f"{path}: not ingested; nothing was written", markup=False)
        except SpreadgraphError as exc:
            if exc.status >= 500:
                raise
            failed += 1
            err.print(f"{path}: {exc}", markup=False)
    err.print(f"{len(files) - failed} of {len(files)} file(s) ingested")
    raise typer.Exit(1 if failed or not files else 0)


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(ingest)
