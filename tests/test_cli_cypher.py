"""`spreadgraph cypher` and `spreadgraph init` from the command line, against the real Neo4j."""

from __future__ import annotations

import csv
import io
import json

from neo4j import Driver

from tests.test_local_server import cli


def test_init_reports_unchanged_on_a_migrated_graph(migrated: Driver) -> None:
    done = cli("init")
    assert done.returncode == 0, done.stderr
    assert "0 migration(s) applied" in done.stdout


def test_cypher_json_with_parameters(migrated: Driver) -> None:
    done = cli(
        "cypher",
        "MATCH (s:EricStrategy) WHERE s.number <= $n RETURN s.number AS n ORDER BY n",
        "--param",
        "n=3",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["columns"] == ["n"]
    assert [row["n"] for row in payload["rows"]] == [1, 2, 3]
    assert payload["truncated"] is False


def test_cypher_csv_and_table(migrated: Driver) -> None:
    done = cli(
        "cypher", "MATCH (d:CfirDomain) RETURN d.number AS number, d.name AS name ORDER BY d.id", "-f", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 5 and rows[0]["number"] == "I"
    table = cli("cypher", "MATCH (d:NasssDomain) RETURN count(d) AS domains")
    assert "domains" in table.stdout and "7" in table.stdout and "1 row(s)" in table.stdout


def test_cypher_refuses_writes_with_exit_1(migrated: Driver) -> None:
    done = cli("cypher", "CREATE (:Barrier {id: 'cli-write'})")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: the console is read-only: CREATE changes the graph"
    records, _, _ = migrated.execute_query("MATCH (b:Barrier {id: 'cli-write'}) RETURN count(b) AS n")
    assert records[0]["n"] == 0


def test_cypher_row_cap_warns(migrated: Driver) -> None:
    done = cli(
        "cypher", "UNWIND range(1, 20) AS x RETURN x", "-f", "json", env={"SPREADGRAPH_QUERY_ROW_CAP": "5"}
    )
    payload = json.loads(done.stdout)
    assert len(payload["rows"]) == 5 and payload["truncated"] is True
    assert "stopped at the cap of 5 rows" in done.stderr


def test_bad_param_syntax_is_a_usage_error(migrated: Driver) -> None:
    done = cli("cypher", "RETURN $x", "--param", "novalue")
    assert done.returncode == 2 and "name=value" in done.stderr
