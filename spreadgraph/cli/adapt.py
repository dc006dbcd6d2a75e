"""`spreadgraph adapt`: fit the search embedder to the repository's documents, then re-embed."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

out = Console(highlight=False, soft_wrap=True)


def adapt(
    min_pairs: int = typer.Option(
        200, min=2, help="Train only when the documents give at least this many training pairs."
    ),
    force: bool = typer.Option(False, "--force", help="Train again even if the documents are unchanged."),
    batch: int = typer.Option(256, min=1, max=10_000, help="Nodes re-embedded per step."),
) -> None:
    """Adapt the search embedder to the documents anyone may search (inverse cloze task,
    search/adaptation.py), save it in SPREADGRAPH_HOME/models/search, and re-embed every stored
    search vector with it. Extraction keeps the base model.

    Unchanged documents and an adapted model already made from them: nothing is trained, and
    only vectors that differ are rewritten. Interrupted while re-embedding: run it again (or
    `spreadgraph reembed`). A running `spreadgraph serve` picks the model per request: searches
    made while this re-embeds may mix models; run it when nothing is being served, or restart
    the server after it.
    """
    from spreadgraph.cli.reembed import reembed_with_bars
    from spreadgraph.config import get_settings
    from spreadgraph.graph.connection import get_driver
    from spreadgraph.search import adaptation
    from spreadgraph.search.embedder import adapted_folder, configured_embedder, model_path, search_model_name

    settings = get_settings()
    if settings.search_model:
        out.print(f"SPREADGRAPH_SEARCH_MODEL is set ({settings.search_model}): nothing to adapt")
        return
    driver = get_driver(settings)
    paragraphs = adaptation.training_paragraphs(driver)
    pairs = len(adaptation.ict_pairs(paragraphs, adaptation.AdaptationSettings()))
    folder = adapted_folder(settings)
    if pairs < min_pairs:
        out.print(
            f"{len(paragraphs)} document excerpt(s) give {pairs} training pair(s), fewer than "
            f"{min_pairs}: the search embedder stays {search_model_name()}"
        )
        return
    if not force and adaptation.is_current(folder, paragraphs, settings.embedding_model):
        out.print(f"the adapted model in {folder} was made from these documents: not trained again")
    else:
        with Progress(
            TextColumn("training"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as bars:
            task = bars.add_task("training", total=None)

            def step(done: int, steps: int, loss: float) -> None:
                bars.update(task, completed=done, total=steps)

            made = adaptation.adapt(
                model_path(settings.embedding_model),
                paragraphs,
                folder,
                progress=step,
                base_name=settings.embedding_model,
            )
        out.print(
            f"adapted {settings.embedding_model} on {made['paragraphs']} excerpt(s): {made['pairs']} pairs, "
            f"{made['steps']} steps, loss {made['first_loss']} -> {made['last_loss']}, {made['seconds']} s"
        )
    result = reembed_with_bars(driver, configured_embedder(), None, batch)
    replaced = sum(stats["replaced"] for stats in result.values())
    checked = sum(stats["checked"] for stats in result.values())
    out.print(f"search vectors: {checked} checked, {replaced} re-embedded with {folder}")


def register(app: typer.Typer) -> None:
    app.command()(adapt)
