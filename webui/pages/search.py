"""`/search` and `/what-worked`: the API's hybrid search and "what worked" answer as pages.

The engine, its dependencies and the filters are the API's own (`webui/api/search.py`); this
module only reads the form, adds links (case pages, the source page at the highlighted excerpt)
and the choices the form offers. An empty query gets the form and a note, not an error.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from neo4j import Driver
from spreadgraph.graph import pages as queries
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.results import SearchResult, SourceRef
from spreadgraph.search.retrieval import KINDS
from spreadgraph.search.what_worked import WhatWorked, WhatWorkedEngine
from spreadgraph.webui.api.search import SearcherDep
from spreadgraph.webui.contexts import (
    Choices,
    ItemLink,
    ResultView,
    SearchForm,
    SearchPage,
    SourceLink,
    WhatWorkedPage,
)
from spreadgraph.webui.deps import DriverDep
from spreadgraph.webui.render import href, respond, source_href
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["pages"])
OUTCOME_DIRECTIONS = ["improved", "worsened", "no_change", "mixed", "unclear"]
RESULT_PAGES = {"case": "cases", "barrier": "barriers", "approach": "approaches"}
CHOICES_TTL = 60.0  # seconds the form's choices are reused (they change only with new cases)
_choices_cache: dict[int, tuple[float, Choices]] = {}


class FormFilters:
    """`SearchFilters` read from the page's form (`SearchFilters.from_form`): blank fields are
    unset, a malformed value is a note rather than a 422, and only published cases are shown."""

    def __init__(self, request: Request) -> None:
        self.filters, self.notes = SearchFilters.from_form(request.query_params)

    def form(self, q: str, kinds: list[str] | None = None, limit: int = 10) -> SearchForm:
        chosen = self.filters.model_dump(exclude={"published_only"}, exclude_none=True)
        return SearchForm(q=q, kinds=kinds or [], limit=limit, filters=chosen)


FormFiltersDep = Annotated[FormFilters, Depends()]


def choices(driver: Driver) -> Choices:
    """The form's choices, reused for CHOICES_TTL seconds per driver."""
    now = time.monotonic()
    cached = _choices_cache.get(id(driver))
    if cached and now - cached[0] < CHOICES_TTL:
        return cached[1]
    found = Choices(
        **queries.search_choices(driver), outcome_directions=OUTCOME_DIRECTIONS, kinds=list(KINDS)
    )
    _choices_cache[id(driver)] = (now, found)
    return found


def source_label(result: SearchResult) -> str | None:
    s = result.source
    if s is None:
        return None
    if s.kind == "template":
        return s.title or (f"template {s.template_id}" if s.template_id else s.id)
    return s.title or s.file_name or s.id


def source_link(source: SourceRef | None) -> str | None:
    """The source page, at the highlighted excerpt when the evidence has a span in it."""
    if source is None:
        return None
    return source_href(source.id, source.excerpt_id, source.start is not None)


def _page(kind: str, node_id: str) -> str | None:
    return href(RESULT_PAGES[kind], node_id) if kind in RESULT_PAGES else None


def result_view(r: SearchResult) -> ResultView:
    """A result with the pages it leads to."""
    return ResultView(
        result=r,
        page_href=_page(r.kind, r.id),
        case_href=href("cases", r.case.id) if r.case else None,
        source_href=source_link(r.source),
        source_label=source_label(r),
        about=[ItemLink(**m.model_dump(), href=_page(m.kind, m.id)) for m in r.about],
        also_in=[SourceLink(**s.model_dump()) for s in r.also_in],
    )


def search_data(
    driver: Driver, searcher: Any, chosen: FormFilters, q: str | None, kinds: list[str], limit: int
) -> SearchPage:
    """`q` None: nothing asked yet (a first visit), so no note about an empty query."""
    asked, q = q is not None, q or ""
    wanted = [k for k in kinds if k in KINDS]
    page = SearchPage(form=chosen.form(q, wanted, limit), choices=choices(driver), query=q)
    response = searcher.search(q, limit, chosen.filters, tuple(wanted) or KINDS)
    page.query, page.notes = response.query, chosen.notes + (response.notes if asked else [])
    page.searched = bool(response.query)
    page.results = [result_view(r) for r in response.results]
    page.items = [result_view(r) for r in response.items]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        page.notes.append(f"Unknown result kinds ignored: {', '.join(unknown)} (use {', '.join(KINDS)}).")
    return page


def evidence_links(answer: WhatWorked) -> dict[str, str]:
    """Links for every excerpt result (by `excerpt|id`) and approach evidence (by excerpt id)."""
    results = [*answer.excerpts, *(r for c in answer.cases for r in c.evidence)]
    out = {f"{r.kind}|{r.id}": link for r in results if (link := source_link(r.source))}
    for approach in answer.approaches:
        for ev in approach.evidence:
            if ev.source_id:
                out[ev.excerpt_id] = source_href(ev.source_id, ev.excerpt_id, ev.start is not None)
    return out


def what_worked_data(driver: Driver, searcher: Any, chosen: FormFilters, q: str | None) -> WhatWorkedPage:
    """`q` None: nothing asked yet (a first visit), so no note about an empty query."""
    asked, q = q is not None, q or ""
    page = WhatWorkedPage(form=chosen.form(q), choices=choices(driver))
    answer = WhatWorkedEngine(searcher).answer(q, chosen.filters)
    answer.notes = chosen.notes + (answer.notes if asked else [])
    page.answer = answer
    page.source_links = evidence_links(answer)
    return page


@router.get("/search", summary="Search page: hybrid search with filters, each result with its evidence")
async def search_page(
    request: Request,
    driver: DriverDep,
    searcher: SearcherDep,
    chosen: FormFiltersDep,
    q: str | None = Query(None, description="free text; absent shows the form, empty adds a note"),
    kind: Annotated[list[str] | None, Query(description="result kinds (repeatable)")] = None,
    limit: int = Query(10, ge=1, le=100),
) -> Response:
    page = await run_in_threadpool(search_data, driver, searcher, chosen, q, kind or [], limit)
    return respond(request, "search.html", page)


@router.get("/what-worked", summary="What worked for similar innovations: cases, approaches, barriers")
async def what_worked_page(
    request: Request,
    driver: DriverDep,
    searcher: SearcherDep,
    chosen: FormFiltersDep,
    q: str | None = Query(None, description="your innovation, context or problem; empty adds a note"),
) -> Response:
    page = await run_in_threadpool(what_worked_data, driver, searcher, chosen, q)
    return respond(request, "what_worked.html", page)
