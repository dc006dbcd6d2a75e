"""`GET /api/search` and `GET /api/what-worked`: hybrid search and the "what worked" answer as JSON.

Filters are query parameters (see `SearchFilters`). The embedder is one per process, created on
the first request (not at import); the blocking work runs in a thread, off the event loop.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ConfigDict
from spreadgraph.search.embedder import configured_embedder
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.results import SearchResponse
from spreadgraph.search.retrieval import KINDS, Searcher
from spreadgraph.search.what_worked import WhatWorked, WhatWorkedEngine
from spreadgraph.webui.deps import DriverDep, require_reviewer
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["search"])


def searcher(driver: DriverDep) -> Searcher:
    return Searcher(driver, embedder=configured_embedder())


SearcherDep = Annotated[Searcher, Depends(searcher)]


class FilterQuery(SearchFilters):
    """`SearchFilters` as query parameters (FastAPI query-parameter model): the fields and their
    descriptions are the model's own; other query parameters (q, limit, kind) sit beside them."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def visible_filters(request: Request, chosen: Annotated[FilterQuery, Query()]) -> SearchFilters:
    """The API's filters; asking for unpublished cases (`published_only=false`) needs a reviewer."""
    if not chosen.published_only:
        require_reviewer(request)
    return SearchFilters(**chosen.model_dump())


FiltersDep = Annotated[SearchFilters, Depends(visible_filters)]


@router.get("/search", summary="Hybrid search over excerpts, cases, barriers and approaches")
async def search(
    searcher: SearcherDep,
    chosen: FiltersDep,
    q: str = Query("", description="free text; empty gets an explanatory note; >1000 chars is cut"),
    limit: int = Query(10, ge=1, le=100),
    kind: Annotated[list[Literal[KINDS]] | None, Query(description="result kinds (repeatable)")] = None,  # type: ignore[valid-type]
    mode: Literal["hybrid", "vector", "fulltext"] = "hybrid",
) -> SearchResponse:
    kinds = tuple(kind) if kind else KINDS
    return await run_in_threadpool(searcher.search, q, limit, chosen, kinds, mode)


@router.get("/what-worked", summary="Similar cases, ranked approaches and barriers to expect, with evidence")
async def what_worked(
    searcher: SearcherDep,
    chosen: FiltersDep,
    q: str = Query("", description="describe your innovation, context or problem"),
) -> WhatWorked:
    return await run_in_threadpool(WhatWorkedEngine(searcher).answer, q, chosen)
