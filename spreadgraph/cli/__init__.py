"""The `spreadgraph` command line: one Typer app, sub-commands grouped by concern."""

from __future__ import annotations

import sys
from functools import cache

import typer
from neo4j.exceptions import DriverError, Neo4jError
from rich.console import Console

from spreadgraph.errors import SpreadgraphError

app = typer.Typer(
    name="spreadgraph",
    help="A knowledge graph of how healthcare innovations were spread and adopted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


@cache
def _register() -> None:
    from spreadgraph.cli import database, server

    app.add_typer(server.app, name="neo4j")
    database.register(app)
    from spreadgraph.cli import review, templates  # case templates (issue 3)

    templates.register(app)
    app.add_typer(review.app, name="review")
    from spreadgraph.cli import serve  # web UI (issue 6)

    serve.register(app)
    from spreadgraph.cli import users  # web UI accounts (issue 6)

    users.register(app)
    from spreadgraph.cli import search  # search and what-worked (issue 5)

    search.register(app)
    from spreadgraph.cli import reembed  # re-embedding after a model change (issue 4)

    reembed.register(app)
    from spreadgraph.cli import adapt  # the search model fitted to the documents (issue 16)

    adapt.register(app)
    from spreadgraph.cli import backup  # backup and restore (issue 17)

    backup.register(app)
    from spreadgraph.cli import export  # exports for analysts (issue 17)

    export.register(app)


def main() -> None:
    """Entry point: run the app; project errors become one line on stderr and exit status 1."""
    _register()
    try:
        app()
    except SpreadgraphError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except (DriverError, Neo4jError) as exc:
        first = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        err.print(f"error: Neo4j: {first}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
