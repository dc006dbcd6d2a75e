"""The review queue and review API: publish/reject cases, confirm/reject suggested claims, every
decision recorded. Seeded once per module with the pages' demo graph (tests/test_webui_pages.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.connection import read, write
from spreadgraph.graph.decisions import claim_state, decisions, get_case
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.templates.template_ingest import ingest_bytes
from spreadgraph.schema.model import NODE_TYPES, REL_TYPES
from spreadgraph.webui.app import create_app
from spreadgraph.webui.caseform import form_to_template
from typer.testing import CliRunner

from spreadgraph.cli import _register, app
from tests.conftest import wipe_data
from tests.test_webui_auth import CONTRIBUTOR, REVIEWER, csrf, ensure_accounts, sign_in, token_for
from tests.test_webui_pages import PENDING, SCRIPT, seed
from tests.test_webui_submit import valid_form


@pytest.fixture(scope="module")
def seeded(migrated: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    seed(migrated, tmp_path_factory.mktemp("review-docs"))
    ensure_accounts()
    yield migrated
    wipe_data(migrated)


@pytest.fixture
def client(seeded: Driver) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        sign_in(test_client, REVIEWER)
        yield test_client


def pending_case(title: str | None = None) -> str:
    """A new pending case (from the form's sample data under a fresh id)."""
    data, _ = form_to_template(valid_form())
    data["id"] = f"review-{uuid.uuid4().hex[:10]}"
    if title:
        data["title"] = title
    return ingest_bytes(json.dumps(data).encode(), "review-test.json").case_id


def suggested_claim(kind: str = "met_barrier") -> str:
    """A new suggested claim on a demo barrier, evidenced by an excerpt of the seeded document."""
    claim_id = f"claim:test:{uuid.uuid4().hex[:10]}"
    write(
        """
        MATCH (b:Barrier {id: 'barrier:no-implementation-planning-of-the-whole-pathway'})
        MATCH (e:Excerpt)-[:FROM]->(:Source {kind: 'document'}) WITH b, e ORDER BY e.start DESC LIMIT 1
        OPTIONAL MATCH (k:CfirConstruct {name: 'Planning'})
        CREATE (cl:Claim {id: $id, kind: $kind, status: 'suggested', method: 'extractor',
                          asserted_by: 'tests', confidence: 0.99})
        CREATE (cl)-[:SUBJECT]->(b), (cl)-[:EVIDENCED_BY]->(e)
        FOREACH (_ IN CASE WHEN $kind = 'coded_as' THEN [1] ELSE [] END | CREATE (cl)-[:OBJECT]->(k))
        """,
        {"id": claim_id, "kind": kind},
    )
    return claim_id


def form(client: TestClient, path: str, **fields: str):
    return client.post(path, data={"csrf_token": csrf(client), **fields}, follow_redirects=False)


def test_queue_lists_pending_cases_and_suggested_claims_with_evidence(client: TestClient) -> None:
    claim_id = suggested_claim()
    page = client.get("/review")
    assert page.status_code == 200
    assert f"case:{PENDING}" in page.text and "Publish" in page.text and "Reason for rejecting" in page.text
    data = client.get("/review.json").json()
    assert f"case:{PENDING}" in {c["id"] for c in data["cases"]}
    assert data["cases"][0]["contact"]  # reviewers see the contributor's contact
    group = next(g for g in data["groups"] if claim_id in g["claim_ids"])
    assert group["item_name"] == "No implementation planning of the whole pathway"
    passage = group["passages"][0]
    assert passage["text"] and passage["source_id"].startswith("source:doc:")
    assert passage["href"].endswith("#excerpt-" + passage["excerpt_id"])
    assert data["claims_total"] >= 1 and data["groups_total"] >= 1
    assert client.get("/review", headers={"accept": "application/json"}).json()["cases"] == data["cases"]


def test_publish_from_the_queue_makes_the_case_visible_and_records_the_decision(client: TestClient) -> None:
    case_id = pending_case()
    assert client.get(f"/cases/{case_id}").status_code == 404
    response = form(
        client, f"/review/cases/{case_id}/publish", note="checked against the notes", revision="1"
    )
    assert response.status_code == 303
    assert f"Published {case_id}." in client.get(response.headers["location"]).text
    assert client.get(f"/cases/{case_id}").status_code == 200
    row = get_case(case_id)
    assert row["status"] == "published" and row["reviewed_by"] == REVIEWER
    (decision,) = decisions(case_id)
    assert decision["decision"] == "published" and decision["by"] == REVIEWER and decision["via"] == "web"
    assert decision["note"] == "checked against the notes" and decision["at"] and decision["revision"] == 1
    assert case_id not in {c["id"] for c in client.get("/review.json").json()["cases"]}


def test_reject_needs_a_reason(client: TestClient) -> None:
    case_id = pending_case()
    before = fingerprint()
    response = form(client, f"/review/cases/{case_id}/reject", reason="   ")
    assert response.status_code == 422 and "Give a reason" in response.text
    slug = case_id.replace(":", "-")
    assert f'aria-describedby="reject-error-{slug}"' in response.text
    assert fingerprint() == before
    response = form(
        client, f"/review/cases/{case_id}/reject", reason="duplicate of another case", revision="1"
    )
    assert response.status_code == 303
    row = get_case(case_id)
    assert row["status"] == "rejected" and row["review_note"] == "duplicate of another case"
    assert [d["decision"] for d in decisions(case_id)] == ["rejected"]


def test_confirm_and_reject_claims_from_the_queue(client: TestClient) -> None:
    first, second = suggested_claim(), suggested_claim()
    assert form(client, f"/review/claims/{first}/confirm", note="clear in the quote").status_code == 303
    assert form(client, f"/review/claims/{second}/reject").status_code == 303
    assert claim_state(first)["status"] == "confirmed" and claim_state(second)["status"] == "rejected"
    assert claim_state(first)["reviewed_by"] == REVIEWER
    (decision,) = decisions(first)
    assert decision["decision"] == "confirmed" and decision["note"] == "clear in the quote"
    assert decisions(second)[0]["decision"] == "rejected" and decisions(second)[0]["by"] == REVIEWER
    again = client.post(
        f"/review/claims/{first}/reject",
        data={"csrf_token": csrf(client)},
        headers={"accept": "application/json"},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert len(decisions(first)) == 1
    ids = {c for g in client.get("/review.json").json()["groups"] for c in g["claim_ids"]}
    assert first not in ids and second not in ids


def test_confirming_a_taxonomy_code_updates_the_item_summary(client: TestClient) -> None:
    claim_id = suggested_claim("coded_as")
    before = read(
        "MATCH (:Barrier {id: 'barrier:no-implementation-planning-of-the-whole-pathway'})-[:CODED_AS]->(k) "
        "RETURN count(k) AS n"
    )[0]["n"]
    assert form(client, f"/review/claims/{claim_id}/confirm").status_code == 303
    after = read(
        "MATCH (:Barrier {id: 'barrier:no-implementation-planning-of-the-whole-pathway'})-[:CODED_AS]->"
        "(k:CfirConstruct {name: 'Planning'}) RETURN count(k) AS n"
    )[0]["n"]
    assert after == 1 and before >= 1


def test_review_api_with_a_reviewer_token(seeded: Driver) -> None:
    with TestClient(create_app()) as api:
        api.headers["authorization"] = f"Bearer {token_for(REVIEWER)}"
        case_id, claim_id = pending_case(), suggested_claim()
        missing = api.post(f"/api/cases/{case_id}/reject", json={"reason": "  "})
        assert missing.status_code == 422 and get_case(case_id)["status"] == "pending"
        assert api.post(f"/api/cases/{case_id}/reject", json={}).status_code == 422
        assert api.post(f"/api/cases/{case_id}/publish").status_code == 422  # no revision named
        published = api.post(f"/api/cases/{case_id}/publish", json={"revision": 1})
        assert published.status_code == 200 and published.json()["status"] == "published"
        assert decisions(case_id)[0]["via"] == "api"
        assert api.post("/api/cases/case:no-such-case/publish", json={"revision": 1}).status_code == 404
        confirmed = api.post(f"/api/claims/{claim_id}/confirm", json={"note": "fine"})
        assert confirmed.status_code == 200 and claim_state(claim_id)["status"] == "confirmed"
        assert api.post(f"/api/claims/{claim_id}/reject").status_code == 409
        assert api.post("/api/claims/claim:nope/confirm").status_code == 404
        api.headers["authorization"] = f"Bearer {token_for(CONTRIBUTOR)}"
        refused = api.post(f"/api/cases/{pending_case()}/publish", json={"revision": 1})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_cli_lists_and_decides_claims(seeded: Driver) -> None:
    _register()
    runner = CliRunner()
    claim_id = suggested_claim()
    listed = runner.invoke(app, ["review", "claims", "--limit", "500"])
    assert listed.exit_code == 0 and "suggested claim(s)" in listed.output
    done = runner.invoke(app, ["review", "confirm", claim_id, "--reviewer", "cli-test", "--note", "ok"])
    assert done.exit_code == 0, done.output
    assert decisions(claim_id)[0] | {"at": None} == {
        "decision": "confirmed",
        "by": "cli-test",
        "at": None,
        "note": "ok",
        "via": "cli",
        "revision": None,
    }
    assert runner.invoke(app, ["review", "reject-claim", claim_id]).exit_code == 1


def test_cli_publish_refuses_a_revision_that_changed(seeded: Driver) -> None:
    _register()
    runner = CliRunner()
    case_id = pending_case()
    data, _ = form_to_template(valid_form())
    data.update(id=case_id.removeprefix("case:"), title="Changed while under review")
    ingest_bytes(json.dumps(data).encode(), "review-test.json")  # revision 2
    stale = runner.invoke(app, ["review", "publish", case_id, "--revision", "1", "--reviewer", "cli-test"])
    assert stale.exit_code == 1 and "revision 2 is now current" in str(stale.exception)
    assert get_case(case_id)["status"] == "pending"
    done = runner.invoke(app, ["review", "publish", case_id, "--revision", "2", "--reviewer", "cli-test"])
    assert done.exit_code == 0 and get_case(case_id)["status"] == "published"


def test_submitted_script_renders_inert_in_the_queue(client: TestClient) -> None:
    pending_case(title=f"Queue item {SCRIPT}")
    html = client.get("/review").text
    assert SCRIPT not in html and "Queue item &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_decisions_use_only_declared_properties(client: TestClient) -> None:
    case_id, claim_id = pending_case(), suggested_claim()
    form(client, f"/review/cases/{case_id}/publish", revision="1")
    form(client, f"/review/claims/{claim_id}/reject", note="not what the quote says")
    declared = {n.label: {p.name for p in n.props} for n in NODE_TYPES}
    rows = read(
        "MATCH (n) WHERE n:Decision OR n:Claim OR n:Case OR n:Revision "
        "UNWIND labels(n) AS label UNWIND keys(n) AS key RETURN DISTINCT label, key"
    )
    assert not [f"{r['label']}.{r['key']}" for r in rows if r["key"] not in declared[r["label"]]]
    allowed = {(s, r.type, e) for r in REL_TYPES for s in r.start for e in r.end}
    rels = read("MATCH (a)-[r:HAS_DECISION]->(b) RETURN DISTINCT labels(a)[0] AS s, labels(b)[0] AS e")
    assert {(r["s"], "HAS_DECISION", r["e"]) for r in rels} <= allowed and len(rels) == 2
