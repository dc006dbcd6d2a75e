"""One context, two renderings: a page's typed context goes out as HTML (Jinja2) or as JSON.

JSON is chosen by a `.json` suffix on the path (stripped by `FormatMiddleware`, as Datasette
does) or by `Accept: application/json` without `text/html`. Errors use the same choice: the
fixed JSON error shape, or the error page.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from spreadgraph.webui.http_errors import InternalError, NotFound
from spreadgraph.webui.security import CSRF_COOKIE, csrf_token
from spreadgraph.webui.sessions import account_for, session_binding
from starlette.types import ASGIApp, Receive, Scope, Send

from spreadgraph.errors import SpreadgraphError

HERE = Path(__file__).resolve().parent
SUFFIXES = {".json": "json", ".csv": "csv"}
log = logging.getLogger("spreadgraph.webui")


def href(kind: str, node_id: str) -> str:
    """The page of a node: /cases/<id>, /barriers/<id>, ... (ids are percent-encoded)."""
    return f"/{kind}/{quote(node_id, safe=':')}"


def source_href(source_id: str, excerpt_id: str | None = None, spanned: bool = True) -> str:
    """A source's page, at the highlighted excerpt when the evidence has a span in the source."""
    page = href("sources", source_id)
    return f"{page}#excerpt-{excerpt_id}" if excerpt_id and spanned else page


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["href"] = href
    env.globals["account_for"] = account_for  # the header's signed-in user (templates/account.html)
    env.filters["cell"] = cell_text
    env.filters["dumps"] = lambda value: json.dumps(value, ensure_ascii=False)  # a plain str: autoescaped
    return env


def cell_text(value: Any) -> str:
    """A result cell as text: scalars as themselves, lists and maps as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


class FormatMiddleware:
    """Strip a `.json` / `.csv` suffix from page paths and remember it as the wanted format."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(("/api/", "/static/")):
            path: str = scope["path"]
            for suffix, name in SUFFIXES.items():
                if path.endswith(suffix):
                    scope = dict(scope)
                    scope["path"] = path[: -len(suffix)] or "/"
                    scope.setdefault("state", {})
                    scope["state"] = {**scope["state"], "format": name}
                    break
        await self.app(scope, receive, send)


def wanted_format(scope: Scope) -> str:
    """'json', 'csv' or 'html' for this request."""
    chosen = (scope.get("state") or {}).get("format")
    if chosen:
        return chosen
    if scope.get("path", "").startswith("/api/"):
        return "json"
    for key, value in scope.get("headers", []):
        if key == b"accept":
            accept = value.decode("latin-1").lower()
            if "application/json" in accept and "text/html" not in accept:
                return "json"
    return "html"


def json_url(request: Request) -> str:
    """This page's JSON twin: the path with `.json` (the home page is `/.json`), same query."""
    path = request.url.path
    base = "/.json" if path == "/" else path.rstrip("/") + ".json"
    return base + (f"?{request.url.query}" if request.url.query else "")


def render_html(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a template with the CSRF token (setting its cookie when new) and the JSON link."""
    token, fresh = csrf_token(request, session_binding(request))
    html = (
        environment()
        .get_template(template)
        .render(request=request, csrf_token=token, json_url=json_url(request), **context)
    )
    response = HTMLResponse(html, status_code=status)
    if fresh:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )
    return response


def respond(request: Request, template: str, page: BaseModel, status: int = 200, **extra: Any) -> Response:
    """The page's context as JSON, or rendered through its template."""
    fmt = wanted_format(request.scope)
    if fmt == "json":
        return JSONResponse(page.model_dump(mode="json"), status_code=status)
    if fmt != "html":
        raise NotFound(f"this page has no .{fmt} form; try .json")
    return render_html(request, template, {"page": page, **extra}, status)


def error_response(scope: Scope, exc: Exception) -> Response:
    """The one error rendering: fixed JSON shape or the error page; never a traceback."""
    if not isinstance(exc, SpreadgraphError):
        log.exception("unhandled error", exc_info=exc)
        exc = InternalError("something went wrong on our side; the error was logged")
    response = _error_body(scope, exc)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["retry-after"] = str(retry_after)
    return response


def _error_body(scope: Scope, exc: SpreadgraphError) -> Response:
    if wanted_format(scope) != "html":
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    request = Request(scope)
    try:
        return render_html(request, "error.html", {"error": exc}, exc.status)
    except Exception:  # the error page itself failed: plain text, still no traceback
        log.exception("error page failed")
        return Response(exc.message, status_code=exc.status, media_type="text/plain")


async def error_app(scope: Scope, exc: Exception) -> Response:
    """`error_response` for ASGI middleware (which runs outside FastAPI's handlers)."""
    return error_response(scope, exc)
