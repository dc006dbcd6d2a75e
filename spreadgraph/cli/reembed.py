"""`spreadgraph reembed`: bring every stored vector in line with the search model
(`search.embedder.search_model_name`: the adapted model, or SPREADGRAPH_EMBEDDING_MODEL)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

out = Console(highlight=False, soft_wrap=True)


def reembed(
    label: list[str] = typer.Option(
        None, "--label", help="Only these labels (default: every embedded label)."
    ),
    batch: int = typer.Option(256, min=1, max=10_000, help="Nodes read, encoded and written per step."),
) -> None:
    """Re-encode every embedded node with the configured model; only changed vectors are written.

    Safe to run again (a second run writes nothing) and to interrupt (run it again to finish).
    """
    from spreadgraph.config import get_settings
    from spreadgraph.graph.connection import get_driver
    from spreadgraph.search.embedder import configured_embedder

    driver = get_driver(get_settings())
    embedder = configured_embedder()
    model = embedder.name
    result = reembed_with_bars(driver, embedder, label or None, batch)
    for name, stats in result.items():
        out.print(f"{name}: {stats['checked']} checked, {stats['replaced']} re-embedded")
    replaced = sum(s["replaced"] for s in result.values())
    out.print(f"model {model}: {replaced} vector(s) replaced")


def reembed_with_bars(
    driver: object, embedder: object, labels: list[str] | None, batch: int
) -> dict[str, dict[str, int]]:
    """`search.indexing.reembed` over `labels` (None: every embedded label), a progress bar per label."""
    from spreadgraph.search.indexing import count_embedded
    from spreadgraph.search.indexing import reembed as run_reembed

    totals = {k: v for k, v in count_embedded(driver).items() if not labels or k in labels}
    with Progress(
        TextColumn("{task.description:10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bars:
        tasks = {name: bars.add_task(name, total=n) for name, n in totals.items() if n}
        if not tasks:
            return {}
        return run_reembed(
            driver, embedder, list(tasks), batch=batch, progress=lambda name, n: bars.advance(tasks[name], n)
        )


def register(app: typer.Typer) -> None:
    app.command()(reembed)
