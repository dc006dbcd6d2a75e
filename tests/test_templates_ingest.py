"""Template ingest against the real Neo4j: demo set, idempotence, revisions, shared items."""

from __future__ import annotations

from pathlib import Path

import pytest
from spreadgraph.graph.connection import read
from spreadgraph.graph.decisions import list_cases, set_status
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.dispatch import expand
from spreadgraph.ingest.templates.template_ingest import check_file, ingest_bytes, ingest_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"
DEMO = sorted(EXAMPLES.glob("*.yaml"))
PFCC2 = EXAMPLES / "pfcc-phase-2-peer-coaching.yaml"


def test_demo_set_is_big_enough():
    assert len(DEMO) >= 12


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_demo_template_validates(path):
    model, problems = check_file(path)
    assert problems == [] and model is not None


def test_demo_set_ingests_and_twice_changes_nothing(graph):
    results = [ingest_file(p) for p in expand([EXAMPLES])]
    assert {r.action for r in results} == {"created"}
    once = fingerprint()
    again = [ingest_file(p) for p in expand([EXAMPLES])]
    assert {r.action for r in again} == {"unchanged"}
    assert fingerprint() == once
    cases = read("MATCH (c:Case) RETURN count(c) AS n, collect(DISTINCT c.status) AS states")[0]
    assert cases["n"] == len(DEMO) and cases["states"] == ["pending"]


def test_claims_are_template_confirmed_and_evidenced(graph):
    ingest_file(PFCC2)
    rows = read(
        """
        MATCH (:Case {id: 'case:pfcc-phase-2-peer-coaching'})-[:MAKES]->(c:Claim)-[:EVIDENCED_BY]->(s:Source)
        RETURN c.kind AS kind, c.field AS field, c.status AS status, c.method AS method, s.kind AS source
        """
    )
    assert {r["status"] for r in rows} == {"confirmed"} and {r["method"] for r in rows} == {"template"}
    assert {r["source"] for r in rows} == {"template"}
    fields = {r["field"]: r["kind"] for r in rows}
    assert fields["barriers[2]"] == "met_barrier"
    assert fields["barriers[3].cfir"] == "coded_as"
    assert fields["links[2]"] == "did_not_address"
    coded = read(
        "MATCH (:Barrier {id: 'barrier:hierarchical-organisational-culture'})-[:CODED_AS]->(k) RETURN k.name AS n"
    )
    assert coded == [{"n": "Culture"}]


def test_resubmitted_case_keeps_old_revision(graph):
    text = PFCC2.read_text(encoding="utf-8")
    first = ingest_bytes(text.encode(), "pfcc2.yaml")
    assert set_status(first.case_id, "published", reviewer="tester")
    changed = text.replace("spread_status: spreading", "spread_status: sustained").replace(
        "  - name: Low senior commitment", "  - name: Low  senior COMMITMENT"
    )
    second = ingest_bytes(changed.encode(), "pfcc2.yaml")
    assert (second.action, second.revision) == ("revised", 2)
    assert "spread_status" in second.changes and "barriers[4].name" in second.changes
    revisions = read(
        """
        MATCH (:Case {id: $id})-[:HAS_REVISION]->(r:Revision)-[:SUBMITTED_BY]->(who:Contributor)
        RETURN r.number AS n, r.changes AS changes, who.name AS who, r.submitted_at IS NOT NULL AS dated
        ORDER BY n
        """,
        {"id": first.case_id},
    )
    assert [r["n"] for r in revisions] == [1, 2] and all(r["dated"] for r in revisions)
    assert revisions[0]["changes"] == [] and revisions[1]["who"] == "spreadgraph demo team"
    case = read("MATCH (c:Case {id: $id}) RETURN c.status AS s, c.spread_status AS sp", {"id": first.case_id})
    assert case == [{"s": "pending", "sp": "sustained"}]
    # Rewritten claims: still one per field, no leftovers from revision 1.
    claims = read("MATCH (:Case {id: $id})-[:MAKES]->(c) RETURN count(c) AS n", {"id": first.case_id})
    before = read("MATCH (c:Claim) RETURN count(c) AS n")
    assert claims == before
    assert ingest_bytes(changed.encode(), "pfcc2.yaml").action == "unchanged"


def test_same_barrier_in_two_templates_is_one_node(graph, tmp_path):
    text = PFCC2.read_text(encoding="utf-8")
    other = text.replace("id: pfcc-phase-2-peer-coaching", "id: another-case").replace(
        "  - name: Staff turnover", "  - name: '  STAFF   turnover '"
    )
    ingest_bytes(text.encode(), "a.yaml")
    ingest_bytes(other.encode(), "b.yaml")
    rows = read(
        "MATCH (b:Barrier) WHERE toLower(b.name) CONTAINS 'turnover' "
        "RETURN b.id AS id, b.name AS name, COUNT { (b)<-[:SUBJECT]-(:Claim) } AS claims"
    )
    assert rows == [{"id": "barrier:staff-turnover", "name": "Staff turnover", "claims": 4}]


def test_review_publish_and_reject(graph):
    result = ingest_file(PFCC2)
    assert [c["id"] for c in list_cases("pending")] == [result.case_id]
    assert set_status("pfcc-phase-2-peer-coaching", "rejected", reviewer="r", note="needs sources")
    assert list_cases("pending") == [] and list_cases("rejected")[0]["id"] == result.case_id
    assert not set_status("no-such-case", "published", reviewer="r")


def test_the_contributor_guides_extra_fields_are_stored(graph):
    """paraphrase, consent, review_by, links[].note and sources[].link reach the graph."""
    ingest_file(PFCC2)
    case = "case:pfcc-phase-2-peer-coaching"
    row = read(
        """
        MATCH (c:Case {id: $case})
        RETURN c.review_by AS review_by,
               [(c)-[:MAKES]->(cl:Claim {field: 'links[1]'}) | cl.note][0] AS note,
               [(c)-[:MAKES]->(cl:Claim {field: 'links[2]'}) | cl.note][0] AS no_note,
               [(c)-[:HAS_EXCERPT]->(e:Excerpt) | [e.paraphrase, e.consent]][0] AS quote,
               [(c)-[:DESCRIBED_IN]->(s:Source {source_type: 'cited'}) | s.url][0] AS url
        """,
        {"case": case},
    )[0]
    assert row["review_by"] == "2027-06-30"
    assert row["note"].startswith("Coaches moved into supporting staff") and row["no_note"] is None
    assert row["quote"] == [True, False]
    assert row["url"] == "https://doi.org/10.1080/13561820.2023.2205879"
