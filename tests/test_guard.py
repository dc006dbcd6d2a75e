"""The read-only Cypher guard: every layer refuses on its own, and the graph never changes."""

from __future__ import annotations

import json
import time

import neo4j
import pytest
from neo4j import Driver
from neo4j.exceptions import Neo4jError
from spreadgraph.graph import guard
from spreadgraph.graph.connection import fail_fast_on_memory, read_tx
from spreadgraph.graph.guard import check_denied, check_plan, json_size, run_read_only

from spreadgraph.config import get_settings
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
    ("CALL dbms.components()", "server command"),  # allowed by name, but plans as a DBMS call ("s")
    ("CALL dbms.security.createUser('x', 'y', false)", "dbms"),
    ("CALL db.createLabel('Sneaky')", "not one of the read procedures"),
    ("CALL db.createProperty('sneaky')", "not one of the read procedures"),
    ("MATCH (b) CALL (b) { SET b.x = 1 } IN TRANSACTIONS RETURN 1", "SET"),
    ("MATCH (b) CALL (b) { RETURN b.id AS i } IN TRANSACTIONS RETURN i", "IN TRANSACTIONS"),
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


def test_explain_layer_refuses_writes_when_the_text_check_is_off(seeded, monkeypatch) -> None:
    monkeypatch.setattr(guard, "check_denied", lambda query: None)
    before = fingerprint(seeded)
    for query, reason in (
        ("CREATE (n:Barrier {id: 'y'})", "read-only"),
        (r"MATCH (n) \u0053ET n.x = 1", "read-only"),  # Neo4j reads the escape as SET
        ("CALL db.createLabel('Sneaky')", "read procedures"),
    ):
        with pytest.raises(QueryRefused, match=reason):
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


HOSTNAME = "'file:///etc/hostname'"
# Each got past the old regex guard (or would have); all must be refused before Neo4j sees them.
BYPASSES = [
    (f'WITH "//" AS x LOAD CSV FROM {HOSTNAME} AS l RETURN l', "LOAD CSV"),
    (f"WITH '/*' AS x LOAD CSV FROM {HOSTNAME} AS l RETURN l, '*/'", "LOAD CSV"),
    (f"WITH 'it\\'s // here' AS x LOAD CSV FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
    (f'WITH "say \\"/*\\"" AS x LOAD CSV FROM {HOSTNAME} AS l RETURN l', "LOAD CSV"),
    ("CALL `dbms`.listConfig() YIELD name RETURN name", "dbms"),
    ("CALL `dbms`.`listConfig`() YIELD name RETURN name", "dbms"),
    ("CALL `dbms.listConfig`() YIELD name RETURN name", "dbms"),
    ("CALL `apoc`.`load`.json('http://127.0.0.1:9/') YIELD value RETURN value", "read procedures"),
    ("RETURN `apoc.text`.join(['a'], '') AS x", "functions"),
    (f"LOAD/**/CSV FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
    (f"WITH 1 AS x LOAD // a comment\nCSV FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
    ("SHOW SETTINGS", "SHOW"),
    ("SHOW TRANSACTIONS YIELD *", "SHOW"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("USE neo4j MATCH (n) RETURN n", "USE"),
    ("use system SHOW USERS", "USE"),
    (f"lOaD cSv FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
    ("MaTcH (b:Barrier) sEt b.name = 'x'", "SET"),
    # Neo4j decodes \uXXXX before it reads the text: \u0027 closes the string, \u004f is O.
    (rf"WITH 'a\u0027 AS x LOAD CSV FROM {HOSTNAME} AS l RETURN l //'", "LOAD CSV"),
    (rf"WITH 1 AS x L\u004fAD CSV FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
    (rf"WITH 1 AS x // \u000a LOAD CSV FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
    (r"MATCH (b:Barrier) \u0053ET b.name = 'x'", "SET"),
    (r"CALL \u0064bms.listConfig()", "dbms"),
    # A // comment that stopped at U+2028 would let the quote after it hide the LOAD CSV.
    (f"WITH 1 AS x // \u2028 ' \n LOAD CSV FROM {HOSTNAME} AS l RETURN l //'", "line break"),
    ("MATCH (b) CALL (b) { RETURN b.id AS i } IN 2 CONCURRENT TRANSACTIONS RETURN i", "IN TRANSACTIONS"),
    ("RETURN 'open", "not closed"),
    ("RETURN 1 /* open", "not closed"),
    ("RETURN 1 AS `open", "not closed"),
    (r"RETURN '\u00zz' AS x", "four hexadecimal"),
]


@pytest.mark.parametrize(("query", "reason"), BYPASSES)
def test_bypasses_of_the_old_guard_are_refused(seeded: Driver, query: str, reason: str) -> None:
    before = fingerprint(seeded)
    with pytest.raises(QueryRefused) as refused:
        run_read_only(seeded, query)
    assert reason.lower() in refused.value.message.lower()
    assert fingerprint(seeded) == before


PLAIN_READS = [
    "MATCH (b:Barrier)-[:NOTE]->(l:Lesson) RETURN b.name AS name, l.text AS text ORDER BY name",
    "OPTIONAL MATCH (b:Barrier) WITH b, count(*) AS n RETURN b.id AS id, n",
    "UNWIND range(1, 3) AS x WITH x WHERE x > 1 RETURN collect(x) AS xs, sum(x) AS total",
    "MATCH (b:Barrier) CALL (b) { MATCH (b)-->(l) RETURN count(l) AS lessons } RETURN b.id, lessons",
    "CALL { MATCH (l:Lesson) RETURN l } RETURN count(l) AS n",
    "MATCH (s:Set) RETURN s.set, s.start, s.stop, s.delete ORDER BY s.set DESC LIMIT 5",
    "RETURN {start: 1, set: 2, load: 3, call: 4} AS map, $set AS p",
    "MATCH (n:Barrier|Set&!Drop) RETURN n.id AS id",
    'RETURN \'LOAD CSV FROM "file:///etc/hostname"\' AS t, "SHOW SETTINGS // USE system" AS u',
    r"RETURN 'it\'s /* not a comment' AS t, '\u0041\\' AS escaped, 1 AS `LOAD CSV`",
    "RETURN 1 AS one // LOAD CSV and SHOW SETTINGS in a comment\n, 2 AS two /* CALL dbms.listConfig() */",
    "mAtCh (b:Barrier) wHeRe b.id STARTS WITH 'barrier' RETURN toUpper(b.name) AS up",
    "RETURN date.truncate('month', date('2024-05-17')) AS d, duration.between(date('2024-01-01'), "
    "date('2024-02-01')) AS gap, vector.similarity.cosine([1.0, 0.0], [1.0, 0.0]) AS same",
    "RETURN point.distance(point({x: 0, y: 0}), point({x: 3, y: 4})) AS d, localtime.truncate('hour') AS t",
    "CALL db.labels() YIELD label RETURN label ORDER BY label",
    "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
    "CALL db.propertyKeys()",
    "CALL db.schema.visualization()",
    "CALL db.schema.nodeTypeProperties() YIELD nodeType RETURN count(nodeType) AS n",
    "CALL `db`.`labels`() YIELD label RETURN count(label) AS n",
    "WITH ['barrier:time'] AS transactions MATCH (b:Barrier) WHERE b.id IN transactions RETURN b",
]


@pytest.mark.parametrize("query", PLAIN_READS)
def test_plain_analyst_reads_pass(seeded: Driver, query: str) -> None:
    run_read_only(seeded, query, {"set": 1})


def test_fulltext_procedure_is_allowed(seeded: Driver) -> None:
    indexes, _, _ = seeded.execute_query("SHOW FULLTEXT INDEXES YIELD name WHERE name = 'barrier_fulltext'")
    if not indexes:
        pytest.skip("no barrier_fulltext index in this schema")
    query = (
        "CALL db.index.fulltext.queryNodes('barrier_fulltext', 'protected') YIELD node RETURN node.id AS id"
    )
    assert [row["id"] for row in run_read_only(seeded, query).rows] == ["barrier:time"]


def explain_plan(driver: Driver, query: str) -> dict:
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        return session.execute_read(lambda tx: tx.run("EXPLAIN " + query).consume().plan)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        (f"LOAD CSV FROM {HOSTNAME} AS l RETURN l", "LOAD CSV"),
        ("SHOW SETTINGS", "ShowSettings"),
        ("SHOW TRANSACTIONS YIELD *", "ShowTransactions"),
        ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TerminateTransactions"),
        ("SHOW USERS", "AdministrationCommand"),
        ("CALL dbms.listConfig()", "dbms"),
        ("CALL db.createLabel('Sneaky')", "read procedures"),
    ],
)
def test_the_plan_layer_alone_refuses(seeded: Driver, query: str, reason: str) -> None:
    """Neo4j's own parser and planner: these plan as reads (or skip the text check) and still stop."""
    with pytest.raises(QueryRefused, match=reason):
        check_plan(explain_plan(seeded, query))


def test_the_plan_layer_passes_reads_and_allowed_procedures(seeded: Driver) -> None:
    for query in ("MATCH (b:Barrier) RETURN b", "CALL db.labels()", "CALL dbms.components()"):
        check_plan(explain_plan(seeded, query))


@pytest.mark.parametrize(
    "query",
    [
        f"LOAD CSV FROM {HOSTNAME} AS l RETURN l",
        "SHOW SETTINGS",
        "SHOW TRANSACTIONS YIELD *",
        "CALL dbms.listConfig() YIELD name RETURN name",
        "MATCH (b) CALL (b) { RETURN b.id AS i } IN TRANSACTIONS RETURN i",
    ],
)
def test_server_layers_refuse_when_the_text_check_is_off(seeded: Driver, monkeypatch, query: str) -> None:
    monkeypatch.setattr(guard, "check_denied", lambda query: None)
    with pytest.raises(QueryRefused):
        run_read_only(seeded, query)


def test_a_huge_value_is_cut_by_the_byte_cap(seeded: Driver) -> None:
    started = time.perf_counter()
    result = run_read_only(seeded, "RETURN range(1, 3000000) AS r", byte_cap=1_000_000)
    assert result.rows == [] and result.truncated and result.truncated_by == "bytes"
    assert result.as_dict()["byte_cap"] == 1_000_000 and result.as_dict()["truncated_by"] == "bytes"
    assert time.perf_counter() - started < 10


def test_rows_stop_at_the_byte_cap_and_say_so(seeded: Driver) -> None:
    result = run_read_only(seeded, "UNWIND range(1, 1000) AS x RETURN x, 'abcdefghij' AS s", byte_cap=2000)
    assert result.truncated and result.truncated_by == "bytes" and 0 < len(result.rows) < 1000
    assert len(json.dumps(result.rows, separators=(",", ":"))) <= 2000
    assert result.rows[0] == {"x": 1, "s": "abcdefghij"}
    by_rows = run_read_only(seeded, "UNWIND range(1, 50) AS x RETURN x", row_cap=10)
    assert by_rows.truncated_by == "rows" and by_rows.byte_cap == get_settings().query_byte_cap
    whole = run_read_only(seeded, "RETURN 1 AS x")
    assert not whole.truncated and whole.truncated_by is None


def test_the_size_estimate_stops_early_and_is_close() -> None:
    huge = list(range(30_000_000))
    started = time.perf_counter()
    assert json_size(huge, 1000) > 1000
    assert time.perf_counter() - started < 0.1
    sample = {"a": [1, 2.5, None, True, "x" * 40], "b": {"c": "ünïcode", "d": []}}
    exact = len(json.dumps(sample, separators=(",", ":"), ensure_ascii=False).encode())
    assert abs(json_size(sample, 10_000) - exact) <= 0.2 * exact


MEMORY_CODE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


def test_a_memory_error_is_not_retried(seeded: Driver) -> None:
    """The driver retries transient errors for up to 15 s; a memory error must fail at once."""
    attempts = []

    def work(tx: neo4j.ManagedTransaction) -> None:
        attempts.append(tx.run("RETURN 1").single())
        raise Neo4jError._hydrate_neo4j(code=MEMORY_CODE, message="db.memory.transaction.max reached")

    with pytest.raises(QueryFailed, match="more memory than the server allows"):
        read_tx(work, driver=seeded)
    assert len(attempts) == 1
    with (
        seeded.session(default_access_mode=neo4j.READ_ACCESS) as session,
        pytest.raises(QueryFailed, match="more memory"),
    ):
        session.execute_read(fail_fast_on_memory(work))
    assert len(attempts) == 2


def test_the_console_fails_fast_when_neo4j_runs_out_of_memory(seeded: Driver) -> None:
    """A real MemoryPoolOutOfMemoryError (dbms.memory.transaction.total.max is 70% of the heap)."""
    query = "UNWIND range(1, 60000000) AS x WITH collect(x) AS xs RETURN size(xs) AS n"
    started = time.perf_counter()
    try:
        result = run_read_only(seeded, query, timeout=30)
    except QueryFailed as failed:
        assert "more memory than the server allows" in failed.message
        assert time.perf_counter() - started < 10  # no retries (they would take 15 s)
    else:
        pytest.skip(f"this server had the memory for {result.rows}")
