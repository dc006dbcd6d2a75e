"""`spreadgraph backup FILE` and `spreadgraph restore FILE`: the whole graph, online (graph/backup.py).

Accounts live in the accounts file, not the graph: a backup carries each account's name, role and
creation date, never its password hash, API tokens or sessions. Restore adds the accounts the
accounts file lacks, without a password: they cannot sign in until one is set.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

out = Console(highlight=False, soft_wrap=True)


@contextmanager
def _bars(totals: dict[str, int]) -> Iterator[Any]:
    """A rich progress bar per phase on stderr; yields the `progress(phase, n)` callback."""
    with Progress(
        TextColumn("{task.description:13}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bars:
        tasks = {name: bars.add_task(name, total=n) for name, n in totals.items()}
        yield lambda phase, n: bars.advance(tasks[phase], n)


def account_metadata() -> list[dict[str, Any]]:
    """Name, role and creation date of each account: no password hash, token or session."""
    from spreadgraph.webui.auth import load_accounts

    return [
        {"name": name, "role": entry.get("role"), "created": entry.get("created")}
        for name, entry in sorted(load_accounts().items())
    ]


def restore_accounts(accounts: list[dict[str, Any]]) -> list[str]:
    """Add the backed-up accounts the accounts file lacks, with no password; their names."""
    from spreadgraph.webui.auth import ROLES, load_accounts, save_accounts

    users = dict(load_accounts())
    added = []
    for account in accounts:
        name, role = account.get("name"), account.get("role")
        if isinstance(name, str) and name not in users and role in ROLES:
            users[name] = {"role": role, "created": account.get("created"), "password": "", "tokens": []}
            added.append(name)
    if added:
        save_accounts(users)
    return added


def backup(
    file: Path = typer.Argument(..., help="The file to write (gzip'd JSON Lines, e.g. graph.jsonl.gz)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace FILE if it exists."),
) -> None:
    """Write the whole graph (nodes, relationships, vectors, schema version, account names and roles,
    no secrets) to FILE, online."""
    from spreadgraph.config import get_settings
    from spreadgraph.graph.backup import BackupError, backup, graph_counts
    from spreadgraph.graph.connection import get_driver
    from spreadgraph.search.embedder import search_model_name

    if file.exists() and not overwrite:
        raise BackupError(f"{file} exists", hint="choose another name, or pass --overwrite")
    settings = get_settings()
    driver = get_driver(settings)
    started = time.monotonic()
    nodes, rels = graph_counts(driver)
    with _bars({"nodes": nodes, "relationships": rels}) as progress:
        header = backup(
            driver,
            file,
            accounts=account_metadata(),
            extra={"embedding_model": search_model_name()},
            progress=progress,
        )
    size = file.stat().st_size / 1e6
    out.print(
        f"backed up {header['counts']['nodes']} nodes, {header['counts']['relationships']} relationships "
        f"(schema version {header['schema_version']}) and {len(header['accounts'])} account(s), names and "
        f"roles only, to {file} ({size:.1f} MB) in {time.monotonic() - started:.1f} s"
    )


def restore(
    file: Path = typer.Argument(..., help="A file written by `spreadgraph backup`."),
) -> None:
    """Restore FILE into an empty database (one that holds only what `spreadgraph init` makes),
    then check the graph's fingerprint against the file's."""
    from spreadgraph.config import get_settings
    from spreadgraph.graph.backup import read_header
    from spreadgraph.graph.connection import get_driver
    from spreadgraph.graph.restore import refuse_non_empty, restore
    from spreadgraph.schema.migrations import MIGRATIONS, MigrationContext
    from spreadgraph.search.embedder import embedding_dimension, search_model_name

    settings = get_settings()
    driver = get_driver(settings)
    ctx = MigrationContext(embedding_dimension=embedding_dimension(settings.embedding_model))
    header = read_header(file)
    refuse_non_empty(driver)  # before the progress bars (restore checks again)
    counts = header.get("counts") or {}
    nodes, rels = int(counts.get("nodes") or 0), int(counts.get("relationships") or 0)
    started = time.monotonic()
    with _bars({"checking": nodes + rels + 2, "nodes": nodes, "relationships": rels}) as progress:
        header = restore(driver, file, ctx, progress=progress)
    out.print(
        f"restored {nodes} nodes and {rels} relationships from {file} in {time.monotonic() - started:.1f} s; "
        f"fingerprint {header['fingerprint']['checksum'][:12]} matches"
    )
    added = restore_accounts(header.get("accounts") or [])
    if added:
        out.print(
            f"{len(added)} account(s) added without a password ({', '.join(added)}): each must have one set "
            "with `spreadgraph user add NAME --role ROLE` before it can sign in"
        )
    if header.get("embedding_model") not in (None, search_model_name()):
        out.print(
            f"note: the backup's vectors come from {header['embedding_model']}, this setup searches with "
            f"{search_model_name()}: run `spreadgraph adapt` (or `spreadgraph reembed`), or set "
            "SPREADGRAPH_SEARCH_MODEL"
        )
    applied = header.get("migrations") or {}
    if any(applied.get(str(m.version)) != m.checksum(ctx) for m in MIGRATIONS):
        out.print("note: the backup's schema is older than this spreadgraph's: run `spreadgraph init`")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
