"""`spreadgraph neo4j start | stop | status`: the project-managed local Neo4j."""

from __future__ import annotations

import json
import time

import typer
from rich.console import Console

from spreadgraph.config import get_settings
from spreadgraph.graph.local_server import LocalNeo4j

app = typer.Typer(
    help="Start, stop or inspect the local Neo4j (Community 5.26 LTS, from Maven).", no_args_is_help=True
)
out = Console(highlight=False, soft_wrap=True)


def _external_note() -> str | None:
    uri = get_settings().neo4j_uri
    return f"NEO4J_URI is set: spreadgraph uses the server at {uri}" if uri else None


@app.command()
def start() -> None:
    """Start the local server (fetches Neo4j with Maven the first time) and wait until Bolt answers."""
    note = _external_note()
    if note:
        out.print(f"{note}; no local server is started.")
        return
    server = LocalNeo4j(get_settings())
    began = time.monotonic()
    with out.status("building the launcher and starting Neo4j..."):
        status, started = server.start()
    if started:
        out.print(
            f"Neo4j started at {status.uri} (pid {status.pid}) in "
            f"{time.monotonic() - began:.1f} s; data in {status.data_dir}"
        )
    else:
        out.print(f"Neo4j is already running at {status.uri} (pid {status.pid}); nothing started.")


@app.command()
def stop() -> None:
    """Stop the local server cleanly."""
    note = _external_note()
    if note:
        out.print(f"{note}; there is no local server to stop.")
        return
    stopped = LocalNeo4j(get_settings()).stop()
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Say whether the local server runs, where, and where its data lives (exit 1 if stopped)."""
    note = _external_note()
    if note:
        out.print(json.dumps({"external": True, "uri": get_settings().neo4j_uri}) if as_json else note)
        return
    current = LocalNeo4j(get_settings()).status()
    if as_json:
        out.print(json.dumps(current.as_dict()))
    elif current.running:
        out.print(f"running at {current.uri} (pid {current.pid}); data in {current.data_dir}")
    else:
        out.print(f"{current.detail}; data in {current.data_dir}")
    if not current.running:
        raise typer.Exit(1)
