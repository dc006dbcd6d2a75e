"""The grouped review queue and group decisions (graph/review_queue.py, graph/decisions.py) over the
real Neo4j: grouping, one decision per group, bulk, rename and merge with teaching, 409s, and the
503 mapping of application reads. Seeded once per module with the pages' demo graph."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import neo4j
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import Neo4jError
from spreadgraph.graph.connection import DatabaseBusy, read, read_tx, resolve_target, write
from spreadgraph.graph.decisions import AlreadyDecided, claim_state, decisions
from spreadgraph.graph.group_decisions import decide_groups, group_decisions
from spreadgraph.graph.review_queue import NameInUse, suggested_groups
from spreadgraph.webui.app import create_app
from typer.testing import CliRunner

from spreadgraph.cli import _register, app
from tests.conftest import wipe_data
from tests.test_webui_auth import REVIEWER, csrf, ensure_accounts, sign_in, token_for
from tests.test_webui_pages import seed

CASE = "case:teledermatology-failed-pathway"


@pytest.fixture(scope="module")
def seeded(migrated: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    seed(migrated, tmp_path_factory.mktemp("groups-docs"))
    ensure_accounts()
    yield migrated
    wipe_data(migrated)


def make_group(
    label: str = "Barrier", claims: int = 2, coded: bool = False, case: str = CASE, item: str | None = None
) -> tuple[str, str, list[str]]:
    """A fresh item (unless `item` names one) with `claims` suggested claims made by `case`, each on
    an excerpt of the seeded document; returns (group id, item id, claim ids)."""
    tag = uuid.uuid4().hex[:8]
    item = item or f"{label.lower()}:group-test-{tag}"
    ids = [f"claim:test:{tag}:{i}" for i in range(claims)]
    write(
        f"""
        MERGE (b:{label} {{id: $item}}) ON CREATE SET b.name = $name, b.aliases = ['alias ' + $tag]
        WITH b MATCH (c:Case {{id: $case}})
        MATCH (e:Excerpt)-[:FROM]->(:Source {{kind: 'document'}}) WITH b, c, collect(e)[..$n] AS excerpts
        UNWIND range(0, size($ids) - 1) AS i
        WITH b, c, excerpts[i % size(excerpts)] AS e, i, $ids[i] AS id
        CREATE (cl:Claim {{id: id, kind: CASE WHEN $coded AND i = 0 THEN 'coded_as' ELSE 'met_barrier' END,
                          status: 'suggested', method: 'extractor', asserted_by: 'tests', confidence: 1.0}})
        CREATE (c)-[:MAKES]->(cl), (cl)-[:SUBJECT]->(b), (cl)-[:EVIDENCED_BY]->(e)
        WITH cl WHERE cl.kind = 'coded_as'
        MATCH (k:CfirConstruct {{name: 'Planning'}}) CREATE (cl)-[:OBJECT]->(k)
        """,
        {
            "item": item,
            "name": f"Group test {tag}",
            "tag": tag,
            "case": case,
            "ids": ids,
            "coded": coded,
            "n": 3,
        },
    )
    return f"{case}~{item}", item, ids


def find(group: str) -> dict:
    _, rows = suggested_groups(500, 0)
    return next(r for r in rows if r["id"] == group)


def test_suggestions_are_grouped_by_case_and_item(seeded: Driver) -> None:
    group, item, ids = make_group(claims=3, coded=True)
    totals, rows = suggested_groups(500, 0)
    row = next(r for r in rows if r["id"] == group)
    assert sorted(row["claim_ids"]) == sorted(ids) and row["claim_count"] == 3
    assert row["in_case"] and row["where_id"] == CASE and row["item_id"] == item
    assert {c["kind"] for c in row["claims"]} == {"coded_as", "met_barrier"}
    assert any(c["object_label"] == "CfirConstruct" for c in row["claims"])
    assert row["passages"] and row["passages"][0]["source_id"].startswith("source:doc:")
    assert totals["groups"] >= 1 and totals["claims"] >= 3
    confidences = [r["confidence"] for r in rows]
    assert confidences == sorted(confidences, reverse=True)
    _, first = suggested_groups(1, 0)
    _, second = suggested_groups(1, 1)
    assert [r["id"] for r in first + second] == [r["id"] for r in rows[:2]]


def test_the_totals_are_reused_until_the_graph_changes(seeded: Driver) -> None:
    group, _, ids = make_group(claims=2)
    before, _ = suggested_groups(1, 0)
    assert suggested_groups(1, 0)[0] == before  # nothing changed: the same totals
    decide_groups([group], "reject", reviewer="rev", note=None, via="cli")
    after, _ = suggested_groups(1, 0)
    assert after == {"groups": before["groups"] - 1, "claims": before["claims"] - len(ids)}


def test_one_decision_confirms_a_whole_group_and_a_rerun_says_already_decided(seeded: Driver) -> None:
    group, item, ids = make_group(claims=3, coded=True)
    (done,) = decide_groups([group], "confirm", reviewer="rev", note="all fine", via="cli")
    assert sorted(done["claims"]) == sorted(ids) and done["status"] == "confirmed"
    assert {claim_state(i)["status"] for i in ids} == {"confirmed"}
    (record,) = group_decisions(group)
    assert record["decision"] == "confirmed" and record["action"] == "confirm" and record["by"] == "rev"
    assert sorted(record["claims"]) == sorted(ids) and record["note"] == "all fine"
    assert decisions(ids[0])[0]["decision"] == "confirmed"  # the same Decision, from each claim
    coded = read("MATCH (:Barrier {id: $id})-[:CODED_AS]->(k) RETURN k.name AS name", {"id": item})
    assert [r["name"] for r in coded] == ["Planning"]
    with pytest.raises(AlreadyDecided, match="already decided by rev"):
        decide_groups([group], "reject", reviewer="rev", via="cli")
    assert len(group_decisions(group)) == 1
    assert group not in {r["id"] for r in suggested_groups(500, 0)[1]}


def test_seen_claims_that_were_decided_meanwhile_answer_409_and_write_nothing(seeded: Driver) -> None:
    group, _, ids = make_group(claims=2)
    other, _, other_ids = make_group(claims=1)
    decide_groups([group], "reject", reviewer="first", via="web", seen={group: ids})
    with pytest.raises(AlreadyDecided, match="decided meanwhile by first"):
        decide_groups([other, group], "confirm", reviewer="second", via="web", seen={group: ids})
    assert claim_state(other_ids[0])["status"] == "suggested"  # all or nothing
    assert {claim_state(i)["status"] for i in ids} == {"rejected"}


def test_rename_teaches_a_new_concept_when_the_item_has_none(seeded: Driver) -> None:
    group, item, ids = make_group()
    old = read("MATCH (b:Barrier {id: $id}) RETURN b.name AS name", {"id": item})[0]["name"]
    new = f"Renamed barrier {uuid.uuid4().hex[:6]}"
    (done,) = decide_groups([group], "rename", name=new, reviewer="rev", via="api")
    assert done["old_name"] == old and done["new_name"] == new
    row = read(
        "MATCH (b:Barrier {id: $id})-[:IS_CONCEPT]->(k:Concept) RETURN b.name AS name, b.aliases AS aliases, "
        "k {.*} AS concept",
        {"id": item},
    )[0]
    assert row["name"] == new and old in row["aliases"]
    assert row["concept"]["id"].startswith("concept:taught:barrier-renamed-barrier")
    assert row["concept"]["taught_aliases"] == [old] and row["concept"]["source"] == "reviewer"
    assert row["concept"]["kind"] == "barrier" and row["concept"]["name"] == new
    assert {claim_state(i)["status"] for i in ids} == {"confirmed"}
    assert group_decisions(group)[0]["action"] == "rename"
    taken, taken_item, _ = make_group()
    with pytest.raises(NameInUse, match="already called"):
        decide_groups([taken], "rename", name=new.upper(), reviewer="rev", via="api")
    assert read("MATCH (b:Barrier {id: $id}) RETURN b.name AS n", {"id": taken_item})[0]["n"] != new.upper()


def test_rename_adds_the_old_name_to_an_existing_concept(seeded: Driver) -> None:
    group, item, _ = make_group(label="Enabler")
    concept = f"concept:test-{uuid.uuid4().hex[:6]}"
    write(
        "MATCH (b:Enabler {id: $id}) CREATE (b)-[:IS_CONCEPT]->(:Concept {id: $c, kind: 'enabler', name: 'x'})",
        {"id": item, "c": concept},
    )
    old = read("MATCH (b:Enabler {id: $id}) RETURN b.name AS name", {"id": item})[0]["name"]
    decide_groups([group], "rename", name=f"Better name {uuid.uuid4().hex[:6]}", reviewer="rev", via="cli")
    rows = read(
        "MATCH (:Enabler {id: $id})-[:IS_CONCEPT]->(k) RETURN k.id AS id, k.taught_aliases AS t", {"id": item}
    )
    assert rows == [{"id": concept, "t": [old]}]


def test_merge_moves_claims_keeps_names_as_aliases_and_removes_the_item(seeded: Driver) -> None:
    _, survivor, _ = make_group()
    concept = f"concept:test-{uuid.uuid4().hex[:6]}"
    write(
        "MATCH (b:Barrier {id: $id}) CREATE (b)-[:IS_CONCEPT]->(:Concept {id: $c})",
        {"id": survivor, "c": concept},
    )
    group, merged, ids = make_group(claims=2)
    other_case = read("MATCH (c:Case) WHERE c.id <> $case RETURN c.id AS id LIMIT 1", {"case": CASE})[0]["id"]
    _, _, elsewhere = make_group(claims=1, case=other_case, item=merged)
    names = read("MATCH (b:Barrier {id: $id}) RETURN b.name AS n, b.aliases AS a", {"id": merged})[0]
    (done,) = decide_groups([group], "merge", into=survivor, reviewer="rev", via="web")
    assert done["merged_into"] == survivor and sorted(done["claims"]) == sorted(ids)
    assert read("MATCH (b:Barrier {id: $id}) RETURN b", {"id": merged}) == []
    moved = read("MATCH (cl:Claim)-[:SUBJECT]->(:Barrier {id: $id}) RETURN cl.id AS id", {"id": survivor})
    assert set(ids + elsewhere) <= {r["id"] for r in moved}
    assert claim_state(elsewhere[0])["status"] == "suggested"  # moved, not decided
    row = read(
        "MATCH (b:Barrier {id: $id})-[:IS_CONCEPT]->(k) RETURN b.aliases AS a, k.taught_aliases AS t",
        {"id": survivor},
    )[0]
    assert names["n"] in row["a"] and set(names["a"]) <= set(row["a"]) and names["n"] in row["t"]
    assert group_decisions(group)[0]["merged_into"] == survivor
    with pytest.raises(Exception, match="no claims are grouped"):
        decide_groups([group], "confirm", reviewer="rev", via="web")


def test_bulk_confirm_from_the_page_and_the_api(seeded: Driver) -> None:
    first, _, first_ids = make_group()
    second, _, second_ids = make_group()
    with TestClient(create_app()) as client:
        sign_in(client, REVIEWER)
        page = client.get("/review")
        assert page.status_code == 200 and f'value="{first}"' in page.text and "Confirm selected" in page.text
        data = client.get("/review.json").json()
        assert first in {g["id"] for g in data["groups"]} and data["groups_total"] >= 2
        seen = [f"{first}={' '.join(first_ids)}", f"{second}={' '.join(second_ids)}"]
        refused = client.post("/review/groups", data={"group": [first], "action": "confirm"})
        assert refused.status_code == 403  # no CSRF token
        done = client.post(
            "/review/groups",
            data={"csrf_token": csrf(client), "group": [first, second], "seen": seen, "action": "confirm"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert "Confirmed 2 groups (4 claims)." in client.get(done.headers["location"]).text
        assert {claim_state(i)["status"] for i in first_ids + second_ids} == {"confirmed"}
        assert group_decisions(first)[0]["via"] == "web"
        again = client.post(
            "/review/groups",
            data={"csrf_token": csrf(client), "group": [first], "seen": seen, "action": "reject"},
            headers={"accept": "application/json"},
        )
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    third, _, third_ids = make_group()
    with TestClient(create_app()) as api:
        api.headers["authorization"] = f"Bearer {token_for(REVIEWER)}"
        listed = api.get("/api/review/groups", params={"limit": 200}).json()
        assert third in {g["id"] for g in listed["groups"]}
        answer = api.post(
            "/api/review/groups/decide", json={"groups": [third], "action": "reject", "note": "no"}
        )
        assert answer.status_code == 200 and sorted(answer.json()["decisions"][0]["claims"]) == sorted(
            third_ids
        )
        assert (
            api.post("/api/review/groups/decide", json={"groups": [third], "action": "reject"}).status_code
            == 409
        )
        missing = api.post(
            "/api/review/groups/decide", json={"groups": [f"{CASE}~barrier:nope"], "action": "confirm"}
        )
        assert missing.status_code == 404


def test_cli_lists_and_decides_groups(seeded: Driver) -> None:
    _register()
    runner = CliRunner()
    group, _, ids = make_group()
    listed = runner.invoke(app, ["review", "groups", "--limit", "500"])
    assert listed.exit_code == 0 and "group(s)" in listed.output
    done = runner.invoke(app, ["review", "decide", group, "--confirm", "--reviewer", "cli-test"])
    assert done.exit_code == 0 and f"confirmed {group}: 2 claim(s)" in done.output
    assert {claim_state(i)["status"] for i in ids} == {"confirmed"}
    again = runner.invoke(app, ["review", "decide", group, "--reject"])
    assert again.exit_code == 1 and "already decided" in str(again.exception or again.output)
    assert runner.invoke(app, ["review", "decide", group, "--confirm", "--reject"]).exit_code != 0


MEMORY = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


def _out_of_memory(tx: neo4j.ManagedTransaction) -> None:
    tx.run("RETURN 1").consume()
    raise Neo4jError._hydrate_neo4j(code=MEMORY, message="db.memory.transaction.total.max reached")


def test_an_application_read_out_of_memory_is_503_with_retry_after(seeded: Driver) -> None:
    with pytest.raises(DatabaseBusy, match="more memory than the server allows") as raised:
        read_tx(_out_of_memory, driver=seeded)
    assert raised.value.status == 503 and raised.value.retry_after
    target = resolve_target()
    quick = GraphDatabase.driver(
        target.uri, auth=(target.user, target.password), max_transaction_retry_time=0.2
    )

    def deadlock(tx: neo4j.ManagedTransaction) -> None:
        raise Neo4jError._hydrate_neo4j(code="Neo.TransientError.Transaction.DeadlockDetected", message="x")

    try:
        with pytest.raises(DatabaseBusy, match="busy"):
            read_tx(deadlock, driver=quick)
    finally:
        quick.close()
    web = create_app()
    probe = APIRouter()

    @probe.get("/probe-memory")
    def _probe() -> None:
        read_tx(_out_of_memory, driver=seeded)

    web.include_router(probe)
    with TestClient(web) as client:
        html = client.get("/probe-memory")
        assert html.status_code == 503 and html.headers["retry-after"] == str(DatabaseBusy.retry_after)
        assert "more memory than the server allows" in html.text and "Traceback" not in html.text
        body = client.get("/probe-memory", headers={"accept": "application/json"})
        assert body.status_code == 503 and body.headers["retry-after"]
        assert body.json()["error"]["code"] == "database_busy"
