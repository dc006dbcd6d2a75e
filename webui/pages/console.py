"""The analyst Cypher console (`/cypher`) and the live schema page (`/schema`).

The console runs everything through `graph.guard.run_read_only`; it adds nothing to the guard
and never runs a query any other way. It needs an analyst or reviewer unless opened over a graph
with nothing private in it (`ConsoleAccess`). CSV cells that a spreadsheet would run as a formula
are neutralised. A refused or failed query is shown on the page (HTML)
or answered with the fixed error shape and status 400 (JSON, CSV).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from spreadgraph.graph import pages as queries
from spreadgraph.graph.guard import run_read_only
from spreadgraph.graph.versioned_cache import VersionedCache, graph_version
from spreadgraph.schema.model import NODE_TYPES, REL_TYPES
from spreadgraph.webui.canned import CannedQuery, canned_queries
from spreadgraph.webui.deps import ConsoleAccess, CsrfChecked, DriverDep, SettingsDep
from spreadgraph.webui.http_errors import InvalidRequest, NotFound
from spreadgraph.webui.render import cell_text, respond, wanted_format
from starlette.concurrency import run_in_threadpool

from spreadgraph.errors import QueryFailed, QueryRefused

router = APIRouter(tags=["console"])
forms = APIRouter(tags=["console"], dependencies=[CsrfChecked, ConsoleAccess])


class ConsolePage(BaseModel):
    query: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    canned: str | None = None
    canned_queries: list[CannedQuery] = Field(default_factory=list)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class SchemaPage(BaseModel):
    labels: list[dict[str, Any]]
    relationship_types: list[dict[str, Any]]
    property_keys: list[str]
    indexes: list[dict[str, Any]]


def _params(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"params must be a JSON object: {exc.msg} at character {exc.pos}") from None
    if not isinstance(value, dict):
        raise InvalidRequest('params must be a JSON object, e.g. {"barrier": "time"}')
    return value


def _choose(canned: str | None, query: str | None, params: str | None, fields: dict[str, str]):
    """(query text, params, canned name) from a canned query name plus its fields, or typed text."""
    if canned:
        chosen: CannedQuery | None = canned_queries().get(canned)
        if chosen is None:
            raise NotFound(f"there is no canned query called '{canned}'")
        return chosen.cypher, chosen.values(fields), canned
    return query or "", _params(params), None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet will show as text, not run as a formula (OWASP's advice: prefix ')."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(result: dict[str, Any]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result["columns"])
    for row in result["rows"]:
        writer.writerow([safe_cell(cell_text(row.get(c))) for c in result["columns"]])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="spreadgraph-query.csv"'},
    )


async def _console(
    request: Request, driver, settings, query: str, params: dict[str, Any], canned: str | None
):
    page = ConsolePage(
        query=query, params=params, canned=canned, canned_queries=list(canned_queries().values())
    )
    fmt = wanted_format(request.scope)
    status = 200
    if query.strip():
        try:
            result = await run_in_threadpool(
                run_read_only,
                driver,
                query,
                params,
                timeout=settings.query_timeout,
                row_cap=settings.query_row_cap,
                byte_cap=settings.query_byte_cap,
            )
            page.result = result.as_dict()
        except (QueryRefused, QueryFailed) as exc:
            if fmt != "html":
                raise
            page.error, status = exc.as_dict()["error"], exc.status
    if fmt == "csv":
        if page.result is None:
            raise InvalidRequest("a CSV download needs a query")
        return _csv(page.result)
    return respond(request, "cypher.html", page, status=status)


@router.get(
    "/cypher",
    dependencies=[ConsoleAccess],
    summary="Read-only Cypher console (form, results; .json and .csv downloads)",
)
async def console(
    request: Request,
    driver: DriverDep,
    settings: SettingsDep,
    query: str | None = None,
    params: str | None = None,
    canned: str | None = None,
) -> Response:
    fields = {k: v for k, v in request.query_params.items() if k not in ("query", "params", "canned")}
    text, values, name = _choose(canned, query, params, fields)
    return await _console(request, driver, settings, text, values, name)


@forms.post("/cypher", summary="Run the console form (CSRF-checked)")
async def console_form(request: Request, driver: DriverDep, settings: SettingsDep) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    text, values, name = _choose(fields.get("canned"), fields.get("query"), fields.get("params"), fields)
    return await _console(request, driver, settings, text, values, name)


#: The live schema costs one count statement per label and relationship type (p50 1.5 s under the
#: 8-client load of bench/load.py, the slowest page); it is reused while no write has been
#: committed (graph/versioned_cache.py), for at most this many seconds.
SCHEMA_TTL = 60.0
_schema_cache = VersionedCache(SCHEMA_TTL, size=4)


def schema_data(driver) -> SchemaPage:
    """The live schema with each label's and type's documentation, reused while the graph is unchanged."""
    return _schema_cache.get(id(driver), graph_version(driver), lambda: _live_schema(driver))


def _live_schema(driver) -> SchemaPage:
    live = queries.live_schema(driver)
    node_docs = {n.label: n.doc for n in NODE_TYPES}
    rel_docs: dict[str, str] = {}
    for rel in REL_TYPES:
        rel_docs.setdefault(rel.type, rel.doc)
    for row in live["labels"]:
        row["doc"] = node_docs.get(row["name"])
    for row in live["relationship_types"]:
        row["doc"] = rel_docs.get(row["name"])
    return SchemaPage(**live)


@router.get("/schema", summary="The schema as the live database has it")
async def schema_page(request: Request, driver: DriverDep) -> Response:
    page = await run_in_threadpool(schema_data, driver)
    return respond(request, "schema.html", page)
