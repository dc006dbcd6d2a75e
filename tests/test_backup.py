"""Backup and restore against the real Neo4j, on a small invented graph: every property type
round-trips, a non-empty database is refused, a damaged file is refused, a failed restore is undone."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from neo4j import Driver
from spreadgraph.graph.backup import BackupError, RestoreFailed, RestoreRefused, backup, read_header
from spreadgraph.graph.migrate import schema_version
from spreadgraph.graph.restore import case_data, restore
from spreadgraph.graph.snapshot import fingerprint
from typer.testing import CliRunner

from spreadgraph.cli import _register, app
from spreadgraph.config import get_settings
from tests.conftest import migration_context, wipe_data

SEED = """
CREATE (c:Case {id: 'case:bk-1', title: 'Bedside huddles — ward 7', status: 'published', year: 2021,
                score: 0.25, flags: [true, false], tags: ['falls', 'wards'], counts: [1, 2, 3],
                embedding: [0.1, -0.2, 0.30000000000000004, 1.0e-7],
                at: datetime('2024-10-27T01:30:00.123456789+01:00[Europe/London]'),
                stamped: datetime('2024-03-01T10:00:00Z'), offset: datetime('2024-03-01T10:00:00+02:00'),
                local: localdatetime('2024-03-01T10:00:00.5'), day: date('2024-02-29'),
                clock: time('10:11:12.000000001+01:00'), wall: localtime('23:59:59'),
                span: duration('P1Y2M3DT4H5M6.000000007S'), place: point({latitude: 51.5, longitude: -0.12}),
                grid: point({x: 1.5, y: 2.5, z: 3.5})})
CREATE (b:Barrier {id: 'barrier:bk-rota', name: 'Rotas change weekly', aliases: []})
CREATE (e:Excerpt {id: 'src:bk:0-40', text: 'Nobody covered the huddle', start: 0, end: 40})
CREATE (c)-[:HAS_EXCERPT]->(e)
CREATE (c)-[:MAKES]->(:Claim {id: 'claim:bk-1', kind: 'met_barrier', confidence: 0.8})-[:SUBJECT]->(b)
CREATE (c)-[:SAME_AS {method: 'citation', score: 2.5, names: ['huddles'], linked_at: datetime()}]->(c)
WITH b
MATCH (k:Concept) WITH b, k LIMIT 1
CREATE (b)-[:IS_CONCEPT]->(k)
SET k.taught_aliases = ['rota churn']
"""
TYPES = """
MATCH (n:Case {id: 'case:bk-1'})
RETURN [k IN keys(n) | [k, valueType(n[k]), CASE WHEN valueType(n[k]) =~ '(LIST|POINT).*' THEN null
        ELSE toString(n[k]) END]] AS props
"""


@pytest.fixture
def seeded(graph: Driver) -> Driver:
    graph.execute_query(SEED)
    return graph


def _types(driver: Driver) -> list[list[str]]:
    records, _, _ = driver.execute_query(TYPES)
    return sorted(records[0]["props"])


def test_a_small_graph_round_trips_exactly(seeded: Driver, tmp_path: Path) -> None:
    before, types = fingerprint(seeded), _types(seeded)
    file = tmp_path / "graph.jsonl.gz"
    header = backup(seeded, file, accounts=[{"name": "ana", "role": "analyst", "created": None}])
    assert (header["format"], header["version"]) == ("spreadgraph-backup", 1)
    assert header["schema_version"] == schema_version(seeded)
    assert header["counts"]["nodes"] == before.nodes and header["fingerprint"]["checksum"] == before.checksum
    assert read_header(file) == header
    wipe_data(seeded)
    assert case_data(seeded) == {}
    restore(seeded, file, migration_context(get_settings()))
    assert fingerprint(seeded) == before
    assert _types(seeded) == types  # same Cypher types, zones and precision, not only the same text


def test_restore_into_a_non_empty_database_is_refused_and_changes_nothing(
    seeded: Driver, tmp_path: Path
) -> None:
    file = tmp_path / "graph.jsonl.gz"
    backup(seeded, file)
    before = fingerprint(seeded)
    with pytest.raises(RestoreRefused) as refused:
        restore(seeded, file, migration_context(get_settings()))
    assert "not empty" in refused.value.message and "1 Case" in refused.value.message
    assert "Concept" in refused.value.message  # what reviewers taught the vocabulary is data too
    assert fingerprint(seeded) == before


def _rewrite(source: Path, target: Path, edit: object) -> None:
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    rows = edit(rows)  # type: ignore[operator]
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)


def test_a_damaged_file_is_refused_before_anything_is_written(seeded: Driver, tmp_path: Path) -> None:
    file = tmp_path / "graph.jsonl.gz"
    backup(seeded, file)
    wipe_data(seeded)
    empty = fingerprint(seeded)
    ctx = migration_context(get_settings())
    data = file.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match="is not a complete spreadgraph backup"):
        restore(seeded, cut, ctx)
    flipped = tmp_path / "flipped.jsonl.gz"
    flipped.write_bytes(data[:-12] + bytes(b ^ 0xFF for b in data[-12:-8]) + data[-8:])  # gzip CRC fails
    with pytest.raises(BackupError, match="is not a complete spreadgraph backup"):
        restore(seeded, flipped, ctx)
    no_end = tmp_path / "no-end.jsonl.gz"
    _rewrite(file, no_end, lambda rows: rows[:-1])
    with pytest.raises(BackupError, match="cut off"):
        restore(seeded, no_end, ctx)
    short = tmp_path / "short.jsonl.gz"
    _rewrite(file, short, lambda rows: [*rows[:-3], rows[-1]])
    with pytest.raises(BackupError, match="its header says"):
        restore(seeded, short, ctx)
    not_ours = tmp_path / "other.jsonl.gz"
    _rewrite(file, not_ours, lambda rows: [{"format": "something-else"}, *rows[1:]])
    with pytest.raises(BackupError, match="not a spreadgraph backup"):
        restore(seeded, not_ours, ctx)
    assert fingerprint(seeded) == empty


def test_a_restore_that_fails_midway_deletes_what_it_wrote(seeded: Driver, tmp_path: Path) -> None:
    file = tmp_path / "graph.jsonl.gz"
    backup(seeded, file)
    wipe_data(seeded)

    def duplicate_last_node(rows: list[dict]) -> list[dict]:
        last = max(i for i, row in enumerate(rows) if "l" in row)
        rows.insert(last + 1, rows[last])
        rows[0]["counts"]["nodes"] += 1
        rows[-1]["nodes"] += 1
        return rows

    bad = tmp_path / "duplicate.jsonl.gz"
    _rewrite(file, bad, duplicate_last_node)
    with pytest.raises(RestoreFailed) as failed:
        restore(seeded, bad, migration_context(get_settings()))
    assert "the database is empty" in str(failed.value)
    assert case_data(seeded) == {}
    records, _, _ = seeded.execute_query("MATCH (k:Concept) RETURN count(k) AS n")
    assert records[0]["n"] > 0 and schema_version(seeded) > 0  # back to what the migrations make


def test_the_commands_keep_account_secrets_out(seeded: Driver, tmp_path: Path, monkeypatch) -> None:
    from spreadgraph.webui import auth

    users = tmp_path / "users.json"
    monkeypatch.setenv("SPREADGRAPH_USERS_FILE", str(users))
    get_settings.cache_clear()
    try:
        auth.add_user("rev-one", "reviewer", "a-long-password")
        token = auth.new_token("rev-one")
        stored = auth.load_accounts()["rev-one"]
        _register()
        runner = CliRunner()
        file = tmp_path / "graph.jsonl.gz"
        done = runner.invoke(app, ["backup", str(file)])
        assert done.exit_code == 0, done.output
        text = gzip.decompress(file.read_bytes()).decode()
        assert (
            stored["password"] not in text and stored["tokens"][0]["hash"] not in text and token not in text
        )
        assert read_header(file)["accounts"] == [
            {"name": "rev-one", "role": "reviewer", "created": stored["created"]}
        ]
        again = runner.invoke(app, ["backup", str(file)])
        assert again.exit_code != 0 and "exists" in str(again.exception)

        users.unlink()
        wipe_data(seeded)
        done = runner.invoke(app, ["restore", str(file)])
        assert done.exit_code == 0, done.output
        assert "fingerprint" in done.output and "without a password" in done.output
        restored = auth.load_accounts()["rev-one"]
        assert restored["role"] == "reviewer" and not restored["password"] and not restored["tokens"]
        assert auth.authenticate("rev-one", "a-long-password") is None and auth.user_for_token(token) is None
    finally:
        monkeypatch.delenv("SPREADGRAPH_USERS_FILE", raising=False)
        get_settings.cache_clear()
