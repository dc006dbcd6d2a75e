"""The web application: `create_app()` wires routers and the one error handler."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from spreadgraph.errors import SpreadgraphError


def create_app() -> FastAPI:
    """A new app; nothing heavy is created until a request needs it."""
    from spreadgraph.webui.api import cases

    app = FastAPI(title="spreadgraph", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.include_router(cases.router, prefix="/api")

    @app.exception_handler(SpreadgraphError)
    def _project_error(request: Request, exc: SpreadgraphError) -> JSONResponse:
        return JSONResponse(exc.as_dict(), status_code=exc.status)

    return app
