"""Online backup of the whole graph to a portable, versioned file (restore: graph/restore.py).

The file is gzip'd JSON Lines: a header (`format`, `version`, `schema_version`, `created_at`,
`counts`, `fingerprint`, ...), then one line per node (`{"l": labels, "p": properties}`), one
per relationship (`{"t": type, "s": [labels, id], "e": [labels, id], "p": properties}`, ends
by their stable `id`) and a trailer (`{"end": true, ...}`), so a cut-off file is detected.
Both directions stream in batches; only the fingerprint keeps a line per node and relationship.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import neo4j
from neo4j import Driver
from spreadgraph.graph.backup_codec import dumps, encode_props
from spreadgraph.graph.connection import database, read
from spreadgraph.graph.migrate import applied_migrations, schema_version
from spreadgraph.graph.snapshot import Fingerprint, fingerprint

from spreadgraph.errors import SpreadgraphError

FORMAT = "spreadgraph-backup"
VERSION = 1
BATCH = 1000


Progress = Callable[[str, int], None]  # (phase, how many more lines) for a progress bar


def advance(progress: Progress | None, phase: str, n: int) -> None:
    if progress and n:
        progress(phase, n)


class BackupError(SpreadgraphError):
    """A backup that could not be made, or a file that is not a usable backup."""

    status = 400
    code = "backup"


class RestoreRefused(BackupError):
    """The database is not empty (restore writes nothing)."""

    code = "restore_refused"


class RestoreFailed(BackupError):
    """A restore that failed after writing; what it wrote has been deleted again."""

    status = 500
    code = "restore_failed"


_NODES = "MATCH (n) RETURN labels(n) AS l, properties(n) AS p"
_RELS = """
MATCH (a)-[r]->(b)
RETURN type(r) AS t, labels(a) AS sl, a.id AS s, labels(b) AS el, b.id AS e, properties(r) AS p
"""
_NO_ID = """
MATCH (n) WHERE n.id IS NULL
RETURN labels(n) AS labels, count(*) AS n ORDER BY n DESC LIMIT 5
"""


# --- backup ----------------------------------------------------------------------------------


def _stream(driver: Driver, query: str) -> Iterator[neo4j.Record]:
    """Rows of one read query, pulled from the server a batch at a time (one read transaction)."""
    with (
        driver.session(
            database=database(), default_access_mode=neo4j.READ_ACCESS, fetch_size=BATCH
        ) as session,
        session.begin_transaction() as tx,
    ):
        yield from tx.run(query)


def graph_counts(driver: Driver) -> tuple[int, int]:
    """(nodes, relationships), from the count store (for progress bars)."""
    nodes = read("MATCH (n) RETURN count(n) AS n", driver=driver)[0]["n"]
    return nodes, read("MATCH ()-[r]->() RETURN count(r) AS n", driver=driver)[0]["n"]


def fingerprint_dict(fp: Fingerprint) -> dict[str, Any]:
    return {"nodes": fp.nodes, "relationships": fp.relationships, "checksum": fp.checksum}


class _Digest:
    """graph/snapshot.py's `fingerprint`, computed over the rows as they are written to the file
    (like `fingerprint`, it keeps one line per node and relationship to sort them)."""

    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.rels: list[str] = []

    @staticmethod
    def _line(value: object) -> str:
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)

    def node(self, record: neo4j.Record) -> None:
        self.nodes.append(self._line({"labels": record["l"], "props": record["p"]}))

    def rel(self, record: neo4j.Record) -> None:
        row = {"start": record["s"], "type": record["t"], "end": record["e"], "props": record["p"]}
        self.rels.append(self._line(row))

    def fingerprint(self) -> Fingerprint:
        lines = [*sorted(self.nodes), "--", *sorted(self.rels)]
        return Fingerprint(
            len(self.nodes), len(self.rels), hashlib.sha256("\n".join(lines).encode()).hexdigest()
        )


def _dump(driver: Driver, out: IO[str], digest: _Digest, progress: Progress | None) -> None:
    """Every node, then every relationship, then the end line, streamed from two read queries."""
    for record in _stream(driver, _NODES):
        out.write(dumps({"l": record["l"], "p": encode_props(record["p"])}) + "\n")
        digest.node(record)
        if len(digest.nodes) % BATCH == 0:
            advance(progress, "nodes", BATCH)
    advance(progress, "nodes", len(digest.nodes) % BATCH)
    for record in _stream(driver, _RELS):
        line = {"t": record["t"], "s": [record["sl"], record["s"]], "e": [record["el"], record["e"]]}
        out.write(dumps({**line, "p": encode_props(record["p"])}) + "\n")
        digest.rel(record)
        if len(digest.rels) % BATCH == 0:
            advance(progress, "relationships", BATCH)
    advance(progress, "relationships", len(digest.rels) % BATCH)
    out.write(dumps({"end": True, "nodes": len(digest.nodes), "relationships": len(digest.rels)}) + "\n")


def _header(driver: Driver, before: Fingerprint, extra: dict[str, Any]) -> dict[str, Any]:
    labels = read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n", driver=driver)
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema_version": schema_version(driver),
        "migrations": {str(v): c for v, c in sorted(applied_migrations(driver).items())},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": {
            "nodes": before.nodes,
            "relationships": before.relationships,
            "labels": {r["label"]: r["n"] for r in labels},
        },
        "fingerprint": fingerprint_dict(before),
        **extra,
    }


def backup(
    driver: Driver,
    path: Path,
    *,
    accounts: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the whole graph to `path` (via a temporary file, renamed when complete); the header.

    Online: the header holds the graph's fingerprint, and the rows written must hash to it; if
    they do not, the graph changed during the dump and no file is written (the file would mix two
    states). A node without an `id` is an error too (relationships name their ends by it).
    """
    missing = read(_NO_ID, driver=driver)
    if missing:
        found = ", ".join(f"{r['n']} {':'.join(r['labels']) or '(no label)'}" for r in missing)
        raise BackupError(f"nodes without an `id` cannot be backed up: {found}")
    before = fingerprint(driver)
    header = _header(driver, before, {"accounts": accounts or [], **(extra or {})})
    temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    digest = _Digest()
    try:
        with gzip.open(temp, "wt", encoding="utf-8", compresslevel=6) as out:
            out.write(dumps(header) + "\n")
            _dump(driver, out, digest, progress)
        if digest.fingerprint() != before:
            changed = fingerprint(driver) != before
            raise BackupError(
                "the graph changed while the backup ran (an ingest or a review?); no file was written"
                if changed
                else "the rows read do not match the graph's fingerprint; no file was written",
                hint="run it again when nothing writes to the database",
            )
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return header


# --- reading a backup file -----------------------------------------------------------------


def file_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, parsed line) of a backup file; any damage is a BackupError naming the line."""
    good = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                line = json.loads(text)
                good = number
                yield number, line
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = (
            f"is not a spreadgraph backup (not gzip'd JSON Lines: {exc})"
            if not good
            else f"is not a complete spreadgraph backup (damaged after line {good}: {exc})"
        )
        raise BackupError(
            f"{path} {problem}", hint="nothing was restored; use an intact backup file"
        ) from None


def read_header(path: Path) -> dict[str, Any]:
    """The header line, checked for the format and a version this code reads."""
    for _, header in file_lines(path):
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise BackupError(f"{path} is not a spreadgraph backup (its first line has no format '{FORMAT}')")
        if header.get("version") != VERSION:
            raise BackupError(
                f"{path} is a version {header.get('version')} backup; this spreadgraph reads "
                f"version {VERSION}"
            )
        return header
    raise BackupError(f"{path} is empty: not a spreadgraph backup")


def check_file(path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Read the whole file once (gzip checksum, every line, the trailer, the counts); its header."""
    header = read_header(path)
    nodes = rels = 0
    trailer = None
    number = 0
    for number, line in file_lines(path):
        if number == 1:
            continue
        if trailer is not None:
            raise BackupError(f"{path}: line {number} follows the end line")
        if not isinstance(line, dict):
            raise BackupError(f"{path}: line {number} is not a JSON object")
        if "end" in line:
            trailer = line
        elif "l" in line and "p" in line:
            nodes += 1
        elif {"t", "s", "e", "p"} <= line.keys():
            rels += 1
        else:
            raise BackupError(f"{path}: line {number} is neither a node nor a relationship")
        if number % BATCH == 0:
            advance(progress, "checking", BATCH)
    advance(progress, "checking", number % BATCH)
    counts = header.get("counts", {})
    expected = (counts.get("nodes"), counts.get("relationships"))
    if trailer is None:
        raise BackupError(f"{path} is cut off: it has no end line", hint="nothing was restored")
    if (nodes, rels) != expected or (trailer.get("nodes"), trailer.get("relationships")) != expected:
        raise BackupError(
            f"{path} holds {nodes} nodes and {rels} relationships; its header says "
            f"{expected[0]} and {expected[1]}",
            hint="nothing was restored",
        )
    return header
