"""`spreadgraph cypher --max-rows` and streaming `--format csv`, in process (CliRunner) and as a subprocess."""

from __future__ import annotations

import csv
import io
import json

import pytest
from neo4j import Driver
from spreadgraph.graph.export_query import stream_read_only
from typer.testing import CliRunner, Result

from spreadgraph.cli import _register, app
from spreadgraph.errors import QueryRefused
from tests.test_local_server import cli

RANGE = "UNWIND range(1, $n) AS x RETURN x, 'row ' + toString(x) AS label"


def run(*args: str) -> Result:
    _register()
    return CliRunner().invoke(app, ["cypher", *args])


def test_max_rows_caps_and_says_so(migrated: Driver) -> None:
    done = run(RANGE, "-p", "n=20", "--max-rows", "5", "-f", "json")
    assert done.exit_code == 0, done.output
    payload = json.loads(done.stdout)
    assert [row["x"] for row in payload["rows"]] == [1, 2, 3, 4, 5]
    assert payload["truncated"] is True and payload["row_cap"] == 5
    assert "warning: result truncated: stopped at the cap of 5 rows" in done.stderr

    table = run(RANGE, "-p", "n=20", "--max-rows", "5")
    assert "5 row(s), stopped at the cap of 5 rows" in table.stdout


def test_max_rows_raises_the_default_cap_and_zero_removes_it(migrated: Driver) -> None:
    default = json.loads(run(RANGE, "-p", "n=1500", "-f", "json").stdout)
    assert len(default["rows"]) == 1000 and default["truncated"] is True
    raised = json.loads(run(RANGE, "-p", "n=1500", "-f", "json", "--max-rows", "2000").stdout)
    assert len(raised["rows"]) == 1500 and raised["truncated"] is False
    unlimited = json.loads(run(RANGE, "-p", "n=1500", "-f", "json", "--max-rows", "0").stdout)
    assert len(unlimited["rows"]) == 1500 and unlimited["truncated"] is False
    assert run(RANGE, "-p", "n=3", "--max-rows", "-1").exit_code == 2


def test_csv_streams_every_row_with_a_header(migrated: Driver) -> None:
    done = run(RANGE, "-p", "n=2500", "-f", "csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["x", "label"] and len(rows) == 2501  # no cap unless --max-rows
    assert rows[1] == ["1", "row 1"] and rows[-1] == ["2500", "row 2500"]
    assert "truncated" not in done.stderr

    capped = run(RANGE, "-p", "n=2500", "-f", "csv", "--max-rows", "5")
    assert list(csv.reader(io.StringIO(capped.stdout)))[1:] == [[str(i), f"row {i}"] for i in range(1, 6)]
    assert "warning: result truncated: stopped at the cap of 5 rows" in capped.stderr

    empty = run("MATCH (n:NoSuchLabel) RETURN n.id AS id", "-f", "csv")
    assert empty.exit_code == 0 and empty.stdout.strip() == "id"


def test_csv_ignores_the_row_and_byte_caps_of_the_console(migrated: Driver) -> None:
    env = {"SPREADGRAPH_QUERY_ROW_CAP": "5", "SPREADGRAPH_QUERY_BYTE_CAP": "200"}
    streamed = cli("cypher", "UNWIND range(1, 3000) AS x RETURN x", "-f", "csv", env=env)
    assert streamed.returncode == 0, streamed.stderr
    assert streamed.stdout.splitlines()[-1] == "3000" and len(streamed.stdout.splitlines()) == 3001
    capped = cli("cypher", "UNWIND range(1, 3000) AS x RETURN x", "-f", "json", env=env)
    assert json.loads(capped.stdout)["truncated"] is True


def test_rows_arrive_before_the_query_ends(migrated: Driver) -> None:
    with stream_read_only(migrated, "UNWIND range(1, 1000000) AS x RETURN x", max_rows=3) as stream:
        rows = iter(stream)
        assert next(rows) == {"x": 1}  # a million-row answer is not collected first
        assert [r["x"] for r in rows] == [2, 3]
    assert stream.truncated


@pytest.mark.parametrize(
    "extra", [["-f", "csv"], ["-f", "csv", "--max-rows", "0"], ["-f", "json", "--max-rows", "0"]]
)
def test_writes_are_still_refused(migrated: Driver, extra: list[str]) -> None:
    for query in ("CREATE (:Barrier {id: 'cli-stream-write'})", "MATCH (b:Barrier) SET b.x = 1 RETURN b"):
        done = run(query, *extra)
        assert done.exit_code == 1 and isinstance(done.exception, QueryRefused)
        assert "read-only" in str(done.exception)
    records, _, _ = migrated.execute_query(
        "MATCH (b:Barrier) WHERE b.id = 'cli-stream-write' OR b.x IS NOT NULL RETURN count(b) AS n"
    )
    assert records[0]["n"] == 0


def test_streaming_keeps_the_plan_check(migrated: Driver) -> None:
    with (
        pytest.raises(QueryRefused, match="not one of the read procedures"),
        stream_read_only(migrated, "CALL db.createLabel('Nope')"),
    ):
        pass
    done = cli("cypher", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", "-f", "csv")
    assert done.returncode == 1 and "LOAD CSV" in done.stderr and not done.stdout
