"""The read-only Cypher guard: every layer refuses on its own, and the graph never changes."""

from __future__ import annotations

import neo4j
import pytest
from neo4j import Driver
from spreadgraph.graph import guard
from spreadgraph.graph.guard import check_denied, run_read_only

from spreadgraph.errors import QueryFailed, QueryRefused


def fingerprint(driver: Driver) -> tuple[int, int, int, int]:
    records, _, _ = driver.execute_query(
        "MATCH (n) WITH count(n) AS nodes "
        "OPTIONAL MATCH ()-[r]->() WITH nodes, count(r) AS rels "
        "CALL db.labels() YIELD label WITH nodes, rels, count(label) AS labels "
        "CALL db.propertyKeys() YIELD propertyKey RETURN nodes, rels, labels, count(propertyKey) AS keys"
    )
    r = records[0]
    return r["nodes"], r["rels"], r["labels"], r["keys"]


@pytest.fixture
def seeded(graph: Driver) -> Driver:
    graph.execute_query(
        "CREATE (b:Barrier {id: 'barrier:time', name: 'No protected time'})"
        "-[:NOTE]->(:Lesson {id: 'lesson:1', text: 'Book the time early'})"
    )
    return graph


REFUSED = [
    ("CREATE (n:Barrier {id: 'x'})", "CREATE"),
    ("MERGE (n:Barrier {id: 'x'}) RETURN n", "MERGE"),
    ("MATCH (b:Barrier) SET b.name = 'changed'", "SET"),
    ("MATCH (b:Barrier) DETACH DELETE b", "DETACH"),
    ("MATCH (b:Barrier) REMOVE b.name", "REMOVE"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV"),
    ("CALL dbms.components()", "dbms"),
    ("CALL dbms.security.createUser('x', 'y', false)", "dbms"),
    ("CALL db.createLabel('Sneaky')", "changes the database"),
    ("CALL db.createProperty('sneaky')", "changes the database"),
    ("MATCH (b) CALL (b) { SET b.x = 1 } IN TRANSACTIONS RETURN 1", "IN TRANSACTIONS"),
    ("CREATE INDEX sneaky FOR (n:Barrier) ON (n.name)", "CREATE"),
    ("DROP CONSTRAINT barrier_id", "DROP"),
    ("ALTER USER neo4j SET PASSWORD 'x'", "ALTER"),
    ("USE system SHOW USERS", "USE"),
    ("  ", "empty"),
]


@pytest.mark.parametrize(("query", "reason"), REFUSED)
def test_console_refuses_and_graph_is_unchanged(seeded: Driver, query: str, reason: str) -> None:
    before = fingerprint(seeded)
    with pytest.raises(QueryRefused) as refused:
        run_read_only(seeded, query)
    assert reason.lower() in refused.value.message.lower()
    assert fingerprint(seeded) == before


def test_explain_layer_refuses_writes_when_the_deny_list_is_off(seeded, monkeypatch) -> None:
    monkeypatch.setattr(guard, "DENY", ())
    before = fingerprint(seeded)
    for query in ("CREATE (n:Barrier {id: 'y'})", "CALL db.createLabel('Sneaky')"):
        with pytest.raises(QueryRefused, match="read-only"):
            run_read_only(seeded, query)
    assert fingerprint(seeded) == before


def test_read_access_mode_is_the_boundary(seeded: Driver) -> None:
    """Even with every check skipped, a READ transaction cannot write."""
    before = fingerprint(seeded)
    with (
        seeded.session(default_access_mode=neo4j.READ_ACCESS) as session,
        pytest.raises(neo4j.exceptions.ClientError, match=r"(?i)read"),
    ):
        session.execute_read(lambda tx: tx.run("CREATE (:Barrier {id: 'z'})").consume())
    assert fingerprint(seeded) == before


def test_query_past_the_timeout_is_stopped(seeded: Driver) -> None:
    slow = "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 99 RETURN count(x) AS n"
    with pytest.raises(QueryFailed, match=r"longer than the 0\.5 s limit"):
        run_read_only(seeded, slow, timeout=0.5)


def test_result_over_the_row_cap_is_truncated_and_says_so(seeded: Driver) -> None:
    result = run_read_only(seeded, "UNWIND range(1, 50) AS x RETURN x", row_cap=10)
    assert result.truncated
    assert [row["x"] for row in result.rows] == list(range(1, 11))
    small = run_read_only(seeded, "UNWIND range(1, 5) AS x RETURN x", row_cap=10)
    assert not small.truncated and len(small.rows) == 5


def test_reads_with_parameters_nodes_and_keyword_lookalikes(seeded: Driver) -> None:
    result = run_read_only(
        seeded,
        "MATCH (b:Barrier {id: $id}) RETURN b, b.name AS name, {set: 1, start: 2} AS map, "
        "'CREATE and DELETE inside a string' AS text // a comment saying MERGE",
        {"id": "barrier:time"},
    )
    row = result.rows[0]
    assert row["name"] == "No protected time"
    assert row["b"]["labels"] == ["Barrier"]
    assert row["map"] == {"set": 1, "start": 2}
    assert result.columns == ["b", "name", "map", "text"]


def test_read_procedures_are_allowed(seeded: Driver) -> None:
    result = run_read_only(seeded, "CALL db.labels() YIELD label RETURN label ORDER BY label")
    assert "Barrier" in [row["label"] for row in result.rows]


def test_syntax_errors_are_reported_plainly(seeded: Driver) -> None:
    with pytest.raises(QueryFailed, match="syntax"):
        run_read_only(seeded, "MATCH (n RETURN n")


@pytest.mark.parametrize(
    "query",
    ["MATCH (n) RETURN n.start, n.stop", "MATCH (s:Set) RETURN s", "RETURN $set", "RETURN 'drop table' AS t"],
)
def test_deny_list_has_no_false_positives(query: str) -> None:
    check_denied(query)
