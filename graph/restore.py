"""Restore a backup file (graph/backup.py) into an empty database, all or nothing, proven by fingerprint."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.backup import (
    BATCH,
    BackupError,
    Progress,
    RestoreFailed,
    RestoreRefused,
    advance,
    check_file,
    file_lines,
    fingerprint_dict,
)
from spreadgraph.graph.backup_codec import decode_props
from spreadgraph.graph.connection import read, write_tx
from spreadgraph.graph.migrate import migrate
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.schema.migrations import MIGRATIONS, MigrationContext
from spreadgraph.schema.model import NODE_TYPES

from spreadgraph.errors import SpreadgraphError

# Nodes the migrations make (taxonomies, the concept vocabulary, applied migrations).
SCHEMA_LABELS = tuple(n.label for n in NODE_TYPES if n.group in ("taxonomy", "meta"))
# Case data: any node the migrations do not make, and what reviewers taught the vocabulary.
_CASE_DATA = """
MATCH (n)
WHERE none(label IN labels(n) WHERE label IN $schema)
   OR (n:Concept AND (n.source = 'reviewer' OR n.taught_aliases IS NOT NULL))
UNWIND labels(n) AS label
RETURN label, count(*) AS n ORDER BY n DESC, label
"""
_DELETE_SOME = "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n"


def _name(label: str) -> str:
    """A label or type as a Cypher identifier (backquoted, inner backquotes doubled)."""
    return "`" + label.replace("`", "``") + "`"


def _labels(labels: list[str]) -> str:
    return "".join(":" + _name(label) for label in labels)


def create_nodes_statement(labels: list[str]) -> str:
    return f"UNWIND $rows AS props CREATE (n{_labels(labels)}) SET n = props RETURN count(n) AS n"


def create_rels_statement(rel_type: str, start: list[str], end: list[str]) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a{_labels(start)} {{id: row.s}}) MATCH (b{_labels(end)} {{id: row.e}}) "
        f"CREATE (a)-[r:{_name(rel_type)}]->(b) SET r = row.p RETURN count(r) AS n"
    )


def case_data(driver: Driver) -> dict[str, int]:
    """label -> count of the nodes that are not what the migrations make (empty: nothing to lose)."""
    rows = read(_CASE_DATA, {"schema": list(SCHEMA_LABELS)}, driver=driver)
    return {r["label"]: r["n"] for r in rows}


def refuse_non_empty(driver: Driver) -> None:
    """RestoreRefused, naming what it holds, when the database holds case data."""
    found = case_data(driver)
    if found:
        listed = ", ".join(f"{n} {label}" for label, n in list(found.items())[:6])
        more = f" and {len(found) - 6} more labels" if len(found) > 6 else ""
        raise RestoreRefused(
            f"the database is not empty: it holds case data ({listed} nodes{more}); nothing was restored",
            hint="restore only into an empty database: a fresh data folder, or a new database",
        )


def _delete_all(driver: Driver) -> None:
    while write_tx(lambda tx: tx.run(_DELETE_SOME, batch=BATCH).single()["n"], driver=driver):
        pass


def _write_nodes(rows: list[tuple[list[str], dict[str, Any]]], driver: Driver) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for labels, props in rows:
        groups.setdefault(tuple(labels), []).append(props)

    def work(tx: ManagedTransaction) -> None:
        for labels, props in groups.items():
            tx.run(create_nodes_statement(list(labels)), rows=props).consume()

    write_tx(work, driver=driver)


def _write_rels(rows: list[dict[str, Any]], driver: Driver) -> None:
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[dict[str, Any]]] = {}
    for line in rows:
        key = (line["t"], tuple(line["s"][0]), tuple(line["e"][0]))
        groups.setdefault(key, []).append(
            {"s": line["s"][1], "e": line["e"][1], "p": decode_props(line["p"])}
        )

    def work(tx: ManagedTransaction) -> None:
        for (rel_type, start, end), batch in groups.items():
            made = tx.run(create_rels_statement(rel_type, list(start), list(end)), rows=batch).single()["n"]
            if made != len(batch):
                raise BackupError(
                    f"{len(batch) - made} {rel_type} relationship(s) name an end node the file does not hold"
                )

    write_tx(work, driver=driver)


def _load(driver: Driver, path: Path, progress: Progress | None) -> None:
    """Create the file's nodes, then its relationships, BATCH lines per write transaction."""
    nodes: list[tuple[list[str], dict[str, Any]]] = []
    rels: list[dict[str, Any]] = []

    def flush() -> None:
        if nodes:
            _write_nodes(nodes, driver)
            advance(progress, "nodes", len(nodes))
            nodes.clear()
        if rels:
            _write_rels(rels, driver)
            advance(progress, "relationships", len(rels))
            rels.clear()

    for number, line in file_lines(path):
        if number == 1 or "end" in line:
            continue
        if "l" in line:
            nodes.append((line["l"], decode_props(line["p"])))
        else:
            if nodes:
                flush()
            rels.append(line)
        if len(nodes) == BATCH or len(rels) == BATCH:
            flush()
    flush()


def restore(
    driver: Driver, path: Path, ctx: MigrationContext, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Restore `path` into an empty database and prove it by fingerprint; the header.

    The file is read through once before anything is written. A database holding case data is
    refused. The migrations run first (constraints and indexes); the nodes they made are then
    replaced by the file's, so the result is the backed-up graph exactly. On any failure after
    that, everything written is deleted and the migrations run again: the database is empty again.
    """
    refuse_non_empty(driver)
    header = check_file(path, progress)
    newest = max(m.version for m in MIGRATIONS)
    if int(header.get("schema_version") or 0) > newest:
        raise BackupError(
            f"{path} comes from schema version {header['schema_version']}; this spreadgraph knows "
            f"up to {newest}",
            hint="restore it with the spreadgraph release that made it, or a newer one",
        )
    migrate(ctx, driver)
    started = time.monotonic()
    try:
        _delete_all(driver)  # only migration-made nodes: the file holds its own
        _load(driver, path, progress)
        got = fingerprint(driver)
        if fingerprint_dict(got) != header.get("fingerprint"):
            raise BackupError(
                f"the restored graph's fingerprint ({got.nodes} nodes, {got.relationships} relationships, "
                f"{got.checksum[:12]}) differs from the file's ({header.get('fingerprint')})"
            )
    except BaseException as exc:
        _delete_all(driver)
        migrate(ctx, driver)
        reason = exc.message if isinstance(exc, SpreadgraphError) else f"{type(exc).__name__}: {exc}"
        raise RestoreFailed(
            f"restore of {path} failed after {time.monotonic() - started:.0f} s: {reason}",
            hint="everything it wrote was deleted and the schema applied again: the database is empty",
        ) from exc
    return header
