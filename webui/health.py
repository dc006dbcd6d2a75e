"""Health endpoints for load balancers, systemd and Docker healthchecks (public, JSON only).

`GET /healthz`: the process is up (no database call). `GET /readyz`: Neo4j answers and its schema
version is the one this code expects; 503 with Retry-After and the problem otherwise. Neither
names the server's address, a user or an error's text: the details go to the log.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from neo4j.exceptions import Neo4jError
from pydantic import BaseModel
from spreadgraph.graph.migrate import schema_version
from spreadgraph.schema.migrations import MIGRATIONS
from spreadgraph.webui.deps import SettingsDep, WatchDep
from spreadgraph.webui.http_errors import DATABASE_ERRORS

from spreadgraph.errors import DatabaseDown, SpreadgraphError

router = APIRouter()
log = logging.getLogger("spreadgraph.webui")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """What `/readyz` reports, ready or not; `problem` says what is wrong in plain words."""

    status: Literal["ready", "not ready"]
    database: Literal["reachable", "unreachable"]
    schema_version: int | None
    expected_schema_version: int
    problem: str | None = None


def expected_schema_version() -> int:
    """The highest migration this code knows (`spreadgraph init` applies it)."""
    return max(m.version for m in MIGRATIONS)


@router.get("/healthz", summary="The process is up (no database call)")
async def healthz() -> Health:
    return Health()


@router.get("/readyz", summary="Neo4j answers and has the expected schema version")
def readyz(
    watch: WatchDep, config: SettingsDep, expected: Annotated[int, Depends(expected_schema_version)]
) -> JSONResponse:
    """200 when ready; 503 with Retry-After naming what is wrong. Also tells the app's
    DatabaseWatch, so pages fail fast from the first probe after Neo4j went away."""
    try:
        version = schema_version(watch.check(config))
    except DATABASE_ERRORS as exc:
        if not isinstance(exc, DatabaseDown):  # (DatabaseDown's detail was logged already)
            log.warning("readiness: lost Neo4j: %s", exc)
        watch.mark_down()
        return _not_ready("Neo4j is unreachable", expected, reachable=False)
    except (Neo4jError, SpreadgraphError) as exc:
        log.warning("readiness: reading the schema version failed: %s", exc)
        return _not_ready("Neo4j did not answer the schema version query", expected)
    if version != expected:
        problem = f"schema version {version}, expected {expected}: run `spreadgraph init`"
        return _not_ready(problem, expected, version=version)
    ready = Readiness(
        status="ready", database="reachable", schema_version=version, expected_schema_version=expected
    )
    return JSONResponse(ready.model_dump())


def _not_ready(
    problem: str, expected: int, *, reachable: bool = True, version: int | None = None
) -> JSONResponse:
    readiness = Readiness(
        status="not ready",
        database="reachable" if reachable else "unreachable",
        schema_version=version,
        expected_schema_version=expected,
        problem=problem,
    )
    headers = {"retry-after": str(DatabaseDown.retry_after)}
    return JSONResponse(readiness.model_dump(), status_code=503, headers=headers)
