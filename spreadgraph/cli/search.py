"""`spreadgraph search QUERY` and `spreadgraph what-worked QUERY`: ranked, sourced evidence."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from spreadgraph.search.filters import SearchFilters

out = Console(highlight=False, soft_wrap=True)


def with_filters(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with one option per `SearchFilters` field (help from the field's description),
    passed to it as one `filters` argument. `published_only` is `--published-only/--include-unpublished`."""
    options = []
    for name, field in SearchFilters.model_fields.items():
        flags = ["--published-only/--include-unpublished"] if name == "published_only" else []
        option = typer.Option(field.default, *flags, help=field.description)
        keyword = inspect.Parameter.KEYWORD_ONLY
        options.append(inspect.Parameter(name, keyword, default=option, annotation=field.annotation))

    @functools.wraps(command)
    def run(**values: Any) -> None:
        chosen = {name: values.pop(name) for name in SearchFilters.model_fields}
        try:
            filters = SearchFilters(**chosen)
        except ValueError as err:
            raise typer.BadParameter(str(err)) from err
        command(filters=filters, **values)

    own = [p for p in inspect.signature(command).parameters.values() if p.name != "filters"]
    run.__signature__ = inspect.Signature([*own, *options])  # type: ignore[attr-defined]
    return run


def _where(source: object) -> str:
    if source is None:
        return ""
    name = source.file_name or source.template_id or source.id
    span = f" [{source.start}-{source.end}]" if source.start is not None else ""
    field = f" {source.field}" if source.field else ""
    return f"{source.title or ''} ({name}{span}{field})"


def search(
    query: str = typer.Argument(..., help="What to look for, in your own words."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=100, help="How many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    filters: SearchFilters = SearchFilters(),
) -> None:
    """Hybrid (vector + full-text) search; each result with its case, source and span."""
    from spreadgraph.search.retrieval import Searcher

    response = Searcher().search(query, limit=limit, filters=filters)
    if as_json:
        print(response.model_dump_json(indent=2))
        return
    for note in response.notes:
        out.print(f"note: {note}")
    if response.results:
        out.print("Passages that answer it:")
    for i, r in enumerate(response.results, start=1):
        out.print(f'{i}. "{(r.text or "")[:400]}"  (score {r.score:.4f})')
        if r.about:
            marks = "; ".join(
                f"{m.kind} {m.name}" + ("" if m.status == "confirmed" else " (suggested)") for m in r.about
            )
            out.print(f"   evidence for: {marks}")
        case = f"case {r.case.title or r.case.id}; " if r.case else ""
        out.print(f"   {case}source: {_where(r.source)}")
    if response.items:
        out.print("Matching cases, barriers and approaches:")
    for i, r in enumerate(response.items, start=1):
        out.print(f"{i}. [{r.kind}] {r.name or r.id}  (score {r.score:.4f})")
        if r.text:
            out.print(f'   "{r.text[:300]}" - {_where(r.source)}')
        else:
            out.print("   no passage from a source supports this yet")
    if not response.results and not response.items and not response.notes:
        out.print("no results")


def what_worked(
    query: str = typer.Argument(..., help="Describe your innovation, context or problem."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    filters: SearchFilters = SearchFilters(),
) -> None:
    """Similar cases, the approaches used there (ranked by evidence) and barriers to expect."""
    from spreadgraph.search.what_worked import WhatWorkedEngine

    answer = WhatWorkedEngine().answer(query, filters)
    if as_json:
        print(json.dumps(answer.model_dump(mode="json"), indent=2))
        return
    for note in answer.notes:
        out.print(f"note: {note}")
    out.print("Similar cases:")
    for c in answer.cases:
        out.print(f"  {c.similarity:.2f}  {c.title} ({c.id})")
        for why in c.why:
            out.print(f"        - {why}")
    out.print("Approaches used there (evidence score):")
    for a in answer.approaches:
        out.print(
            f"  {a.evidence_score:.2f}  {a.name}: {len(a.cases)} case(s), {a.confirmed_claims} confirmed, "
            f"{a.suggested_claims} suggested; outcomes {a.outcome_directions or '-'}"
        )
        for e in a.evidence[:1]:
            out.print(f'        "{e.text[:200]}" - {e.source_title} ({e.file_name or e.source_id})')
    out.print("Barriers to expect:")
    for b in answer.barriers:
        fixes = ", ".join(sorted({x["name"] for x in b.addressed_elsewhere})) or "-"
        out.print(f"  {b.score:.2f}  {b.name}; addressed elsewhere by: {fixes}")
        if b.expert_opinion:
            figures = "; ".join(f"{m.strategy} {m.percent}%" for m in b.expert_opinion[:3])
            out.print(f"        {b.expert_opinion_label}: {figures}")
    out.print("Best excerpts:")
    for r in answer.excerpts:
        out.print(f'  "{(r.text or "")[:200]}" - {_where(r.source)}')


def register(app: typer.Typer) -> None:
    app.command()(with_filters(search))
    app.command("what-worked")(with_filters(what_worked))
