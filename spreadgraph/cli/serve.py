"""`spreadgraph serve`: the web UI and API (uvicorn, one process)."""

from __future__ import annotations

import typer
from rich.console import Console

out = Console(highlight=False, soft_wrap=True, stderr=True)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the web UI and JSON API on http://HOST:PORT (Ctrl-C stops it)."""
    import uvicorn

    from spreadgraph.graph.connection import get_driver

    get_driver()  # fail now, with the usual one-line message, if Neo4j is away
    from spreadgraph.webui.auth import accounts_exist

    if not accounts_exist():
        out.print(
            "no web accounts yet: reading works; to submit and review cases, create one with "
            "`spreadgraph user add NAME --role reviewer`"
        )
    out.print(f"spreadgraph web UI on http://{host}:{port}/ (API docs at /api/docs); Ctrl-C stops it")
    uvicorn.run(
        "spreadgraph.webui.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


def register(app: typer.Typer) -> None:
    app.command()(serve)
