"""`spreadgraph serve`: the web UI and API (uvicorn, one process)."""

from __future__ import annotations

import threading
import time

import typer
from rich.console import Console

out = Console(highlight=False, soft_wrap=True, stderr=True)
#: Printed (to stderr) once every search statement is planned; bench/search_latency.py waits for it.
WARM_MESSAGE = "search statements planned"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
) -> None:
    """Serve the web UI and JSON API on http://HOST:PORT (Ctrl-C stops it)."""
    import uvicorn

    from spreadgraph.graph.connection import get_driver
    from spreadgraph.webui.app import create_app
    from spreadgraph.webui.security import allowed_hosts_for

    get_driver()  # fail now, with the usual one-line message, if Neo4j is away
    from spreadgraph.webui.auth import accounts_exist

    if not accounts_exist():
        out.print(
            "no web accounts yet: reading works; to submit and review cases, create one with "
            "`spreadgraph user add NAME --role reviewer`"
        )
    out.print(f"spreadgraph web UI on http://{host}:{port}/ (API docs at /api/docs); Ctrl-C stops it")
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    app = create_app(allowed_hosts=allowed_hosts_for(host, port))
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


def _warm_up() -> None:
    """Load the query embedder, read the cases' filter facets and run every search statement shape
    while the server starts, so the first searches do not wait for them (~10 s for the model,
    ~0.7 s for the facets and 0.5-1 s per statement shape at 100,000 excerpts). Each shape runs
    `WARM_UP_ROUNDS` times, past the use on which Neo4j recompiles a cached plan
    (search/retrieval.py). The API's embedder is one per process.

    The web process encodes one short query at a time, through the traced copy of the model
    (search/embedder.py; ~12 ms on one thread, measured): torch keeps to one core and leaves the
    other to Neo4j."""
    import torch

    from spreadgraph.graph.connection import get_driver
    from spreadgraph.search.embedder import configured_embedder
    from spreadgraph.search.facets import facets
    from spreadgraph.search.retrieval import Searcher
    from spreadgraph.search.warmup import WARM_UP_ROUNDS, WARM_UP_SHAPES, WARM_UP_TEXTS, warm_up
    from spreadgraph.search.what_worked import WhatWorkedEngine

    torch.set_num_threads(1)
    try:
        configured_embedder().encode(["warm up"])
    except Exception as exc:  # the first search will report the problem properly
        out.print(f"could not load the embedding model in advance: {exc}")
        return
    searcher = Searcher(get_driver(), embedder=configured_embedder())
    started = time.perf_counter()
    try:
        facets(searcher.driver)
        for round_ in range(WARM_UP_ROUNDS):
            text = WARM_UP_TEXTS[round_ % len(WARM_UP_TEXTS)]
            warm_up(searcher, text)
            for filters in WARM_UP_SHAPES:
                WhatWorkedEngine(searcher).answer(text, filters=filters)
    except Exception as exc:  # a search error is reported to whoever searches first
        out.print(f"could not warm up the search statements: {exc}")
        return
    out.print(f"{WARM_MESSAGE} in {time.perf_counter() - started:.1f} s")


def register(app: typer.Typer) -> None:
    app.command()(serve)
