"""`POST /api/cypher`: run a read-only query through the guard; its result or its refusal (400)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from spreadgraph.graph.guard import MAX_QUERY_CHARS, run_read_only
from spreadgraph.webui.deps import ConsoleAccess, DriverDep, SettingsDep
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["console"], dependencies=[ConsoleAccess])


class CypherRequest(BaseModel):
    query: str = Field(max_length=MAX_QUERY_CHARS, description="Cypher that only reads")
    params: dict[str, Any] = Field(default_factory=dict, description="query parameters ($name)")


class CypherResult(BaseModel):
    ok: bool
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    row_cap: int
    byte_cap: int
    truncated_by: str | None = Field(None, description="which cap cut the rows: rows, bytes, or null")
    elapsed_ms: float


@router.post(
    "/cypher",
    summary="Run a read-only Cypher query",
    responses={400: {"description": "refused by the read-only guard, or failed; the fixed error shape"}},
)
async def post_cypher(body: CypherRequest, driver: DriverDep, settings: SettingsDep) -> CypherResult:
    result = await run_in_threadpool(
        run_read_only,
        driver,
        body.query,
        body.params,
        timeout=settings.query_timeout,
        row_cap=settings.query_row_cap,
        byte_cap=settings.query_byte_cap,
    )
    return CypherResult(**result.as_dict())
