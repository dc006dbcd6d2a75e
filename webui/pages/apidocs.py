"""The API's own description: `/api/openapi.json` and a plain reference page at `/api/docs`.

Declared as ordinary routes (FastAPI's built-in ones skip the app's dependencies), so both obey
SPREADGRAPH_READ_ACCESS like every other page, and the page is rendered here from the OpenAPI
document under the site's Content-Security-Policy: no CDN script, no inline script.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from spreadgraph.webui.render import render_html

router = APIRouter(tags=["docs"])
METHODS = ("get", "post", "put", "patch", "delete")


class Operation(BaseModel):
    method: str
    path: str
    summary: str | None = None
    description: str | None = None
    parameters: list[dict[str, Any]]
    body: bool
    responses: dict[str, str]


class ApiDocsPage(BaseModel):
    title: str
    openapi_url: str
    operations: list[Operation]


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the OpenAPI document, in path order."""
    found = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [
                {
                    "name": p.get("name"),
                    "in": p.get("in"),
                    "required": bool(p.get("required")),
                    "description": p.get("description") or (p.get("schema") or {}).get("description"),
                }
                for p in op.get("parameters", [])
            ]
            responses = {code: str(r.get("description", "")) for code, r in op.get("responses", {}).items()}
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary"),
                    description=op.get("description"),
                    parameters=params,
                    body="requestBody" in op,
                    responses=responses,
                )
            )
    return found


@router.get("/api/openapi.json", include_in_schema=False)
async def openapi_json(request: Request) -> Response:
    return JSONResponse(request.app.openapi())


@router.get("/api/docs", include_in_schema=False)
async def api_docs(request: Request) -> Response:
    spec = request.app.openapi()
    page = ApiDocsPage(
        title=spec["info"]["title"], openapi_url="/api/openapi.json", operations=operations(spec)
    )
    return render_html(request, "api_docs.html", {"page": page})  # HTML, though under /api/
