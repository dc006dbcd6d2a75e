"""The web application: `create_app()` wires routers, middleware and the one error handler."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from spreadgraph.webui.http_errors import (
    API_ERROR_RESPONSES,
    DATABASE_ERRORS,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    database_down,
)
from spreadgraph.webui.outage import DatabaseWatch
from spreadgraph.webui.render import HERE, FormatMiddleware, error_app, error_response
from spreadgraph.webui.security import GuardMiddleware, configured_hosts
from starlette.exceptions import HTTPException as StarletteHTTPException

from spreadgraph.errors import SpreadgraphError


def _http_error(exc: StarletteHTTPException) -> SpreadgraphError:
    if exc.status_code == 404:
        return NotFound("there is no page at this address")
    if exc.status_code == 405:
        return MethodNotAllowed("this address does not accept that method")
    error = SpreadgraphError(str(exc.detail))
    error.status = exc.status_code
    error.code = "http_error"
    return error


def _validation_error(exc: RequestValidationError) -> InvalidRequest:
    problems = []
    for error in exc.errors()[:10]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return InvalidRequest("the request is not valid: " + "; ".join(problems))


def create_app(allowed_hosts: tuple[str, ...] | None = None) -> FastAPI:
    """A new app; nothing heavy is created until a request needs it. `allowed_hosts`: the Host
    values to answer (`serve` passes the address it binds); default SPREADGRAPH_ALLOWED_HOSTS, or
    the loopback names."""
    from spreadgraph.webui import health
    from spreadgraph.webui.api import cases, cypher, search
    from spreadgraph.webui.api import review as review_api
    from spreadgraph.webui.deps import ReadAccess
    from spreadgraph.webui.pages import account, apidocs, browse, console, items, overview, review, submit
    from spreadgraph.webui.pages import search as search_pages

    app = FastAPI(
        title="spreadgraph",
        docs_url=None,  # webui/pages/apidocs.py serves both, behind the read-access setting
        redoc_url=None,
        openapi_url=None,
        dependencies=[ReadAccess],  # SPREADGRAPH_READ_ACCESS: open (default) or signed-in
    )
    app.state.database_watch = DatabaseWatch()  # 503 at once while Neo4j is down (webui/outage.py)
    # The JSON API: in the OpenAPI schema, with the error responses every route may give.
    for api in (cases.router, review_api.router, cypher.router, search.router):
        app.include_router(api, prefix="/api", responses=API_ERROR_RESPONSES)
    # HTML pages (each with a JSON twin) and the health endpoints stay out of the API schema.
    pages = [health.router, apidocs.router, browse.router, items.router, console.router, console.forms]
    pages += [search_pages.router, overview.router]  # staff: search and overview
    pages += [account.router, submit.router, review.router]  # contributors and reviewers
    for page in pages:
        app.include_router(page, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Outermost first at run time: FormatMiddleware, then GuardMiddleware, then the routes.
    app.add_middleware(
        GuardMiddleware, render_error=error_app, allowed_hosts=allowed_hosts or configured_hosts()
    )
    app.add_middleware(FormatMiddleware)

    @app.exception_handler(SpreadgraphError)
    def _project_error(request: Request, exc: SpreadgraphError) -> Response:
        return error_response(request.scope, exc)

    def _database_down(request: Request, exc: Exception) -> Response:
        """Neo4j down or unreachable, wherever the request met it: 503, Retry-After, a plain message."""
        request.app.state.database_watch.mark_down()
        return error_response(request.scope, database_down(exc))

    for kind in DATABASE_ERRORS:
        app.add_exception_handler(kind, _database_down)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_response(request.scope, _http_error(exc))
        response.headers.update(exc.headers or {})  # e.g. `Allow` on 405 (RFC 9110)
        return response

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request.scope, _validation_error(exc))

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        return error_response(request.scope, exc)

    return app
