"""`spreadgraph validate FILE...` and `spreadgraph ingest FILE|DIR...`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from spreadgraph.errors import SpreadgraphError
from spreadgraph.ingest.dispatch import Kind, expand, kind_of
from spreadgraph.ingest.templates.problems import TemplateInvalid
from spreadgraph.ingest.templates.template_ingest import check_file

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


class BarProgress:
    """Rich progress bars for documents, sections and excerpts (totals grow as files are parsed)."""

    def __init__(self, progress: Progress, documents: int) -> None:
        self.progress = progress
        self.tasks = {
            "documents": progress.add_task("documents", total=documents),
            "sections": progress.add_task("sections", total=0),
            "excerpts": progress.add_task("excerpts", total=0),
        }

    def found(self, what: str, n: int) -> None:
        task = self.tasks[what]
        self.progress.update(task, total=(self.progress.tasks[task].total or 0) + n)

    def advance(self, what: str, n: int) -> None:
        self.progress.advance(self.tasks[what], n)


def _bars() -> Progress:
    return Progress(
        TextColumn("{task.description:>9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )


def _report(path: Path, result: object) -> bool:
    """Print one file's outcome; True when it was ingested."""
    if not isinstance(result, Exception):
        out.print(str(result), markup=False)
        return True
    if isinstance(result, TemplateInvalid):
        for problem in result.problems:
            err.print(problem.render(), markup=False)
        err.print(f"{path}: not ingested; nothing was written", markup=False)
        return False
    if isinstance(result, SpreadgraphError) and result.status < 500:
        err.print(f"{path}: {result}", markup=False)
        return False
    raise result


def _run_kind(kind: Kind, files: list[Path], bars: BarProgress) -> Iterator[tuple[Path, object]]:
    if kind.ingest_batch is not None:
        yield from kind.ingest_batch(files, bars)
        return
    for path in files:
        try:
            yield path, kind.ingest(path)
        except Exception as exc:
            yield path, exc
        bars.advance("documents", 1)


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders: case templates and documents."),
    embed: bool = typer.Option(
        True, "--embed/--no-embed", help="After templates, embed nodes lacking one (documents always embed)."
    ),
) -> None:
    """Ingest templates and documents (exit 1 if any fail).

    Templates are written up to 250 per transaction, each file all or nothing: an invalid file is
    reported and skipped, and a batch the database refuses is halved until the refused file is
    alone (reported) and the others are written. Documents are parsed, their findings extracted
    as suggested claims and their excerpts embedded; a file that fails writes nothing. A progress
    bar shows documents, sections and excerpts.
    """
    files = expand(paths)
    groups: dict[str, tuple[Kind, list[Path]]] = {}
    failed = 0
    for path in files:
        kind = kind_of(path)
        if kind is None:
            err.print(f"{path}: skipped (not a file type spreadgraph can ingest)", markup=False)
            failed += 1
            continue
        groups.setdefault(kind.name, (kind, []))[1].append(path)
    with _bars() as progress:
        bars = BarProgress(progress, sum(len(group) for _, group in groups.values()))
        for kind, group in groups.values():
            for path, result in _run_kind(kind, group, bars):
                failed += not _report(path, result)
        if embed and any(name != "document" for name in groups):
            from spreadgraph.ingest.documents.ingester import default_ingester
            from spreadgraph.search.units import refresh

            done = refresh(None, default_ingester().cache)
            if done:
                err.print("embedded " + ", ".join(f"{n} {label}" for label, n in done.items()))
    err.print(f"{len(files) - failed} of {len(files)} file(s) ingested")
    raise typer.Exit(1 if failed or not files else 0)


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(ingest)
