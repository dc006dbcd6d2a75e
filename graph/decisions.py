"""Review: list cases by state, publish or reject them, confirm or reject suggested claims, one
by one or a group at a time (a case and an item: graph/review_queue.py), and rename or merge a
group's item, which teaches the vocabulary (the old names become aliases).

Every decision is kept as a `Decision` node (who, when, what, note, via) hung off the case or
claim with HAS_DECISION; a group decision is one Decision that names the group, the item and
each claim it decided, hung off each of those claims. The case or claim also holds the latest
decision in its own properties (`status`, `reviewed_by`, `reviewed_at`, `review_note`), which
pages read.
"""

from __future__ import annotations

import uuid
from typing import Any

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.connection import read, read_tx, write_tx
from spreadgraph.graph.item_resolution import tidy_items

from spreadgraph.errors import SpreadgraphError

_LIST = """
MATCH (c:Case) WHERE $status IS NULL OR c.status = $status
OPTIONAL MATCH (c)-[:HAS_REVISION]->(r:Revision {number: c.revision})-[:SUBMITTED_BY]->(who:Contributor)
RETURN c.id AS id, c.title AS title, c.status AS status, c.revision AS revision,
       who.name AS submitted_by, toString(r.submitted_at) AS submitted_at
ORDER BY c.id
"""
_CASE_FIELDS = """
OPTIONAL MATCH (c)-[:HAS_REVISION]->(r:Revision {number: c.revision})
OPTIONAL MATCH (r)-[:SUBMITTED_BY]->(who:Contributor)
OPTIONAL MATCH (c)-[:HAS_REVISION]->(first:Revision {number: 1})
RETURN c.id AS id, c.title AS title, c.summary AS summary, c.status AS status, first.account AS owner,
       c.revision AS revision, c.period AS period, c.spread_status AS spread_status,
       c.reviewed_by AS reviewed_by, toString(c.reviewed_at) AS reviewed_at,
       c.review_note AS review_note, r.template AS template, r.account AS account,
       who.name AS submitted_by, who.contact AS contact, toString(r.submitted_at) AS submitted_at
ORDER BY r.submitted_at, c.id
"""
_CASE = "MATCH (c:Case {id: $id})" + _CASE_FIELDS
_PENDING = "MATCH (c:Case {status: 'pending'})" + _CASE_FIELDS + "LIMIT $limit"
_REVISION = "MATCH (c:Case {id: $id}) RETURN c.revision AS revision"
_SET_STATUS = """
MATCH (c:Case {id: $id})
SET c.status = $status, c.reviewed_by = $reviewer, c.reviewed_at = datetime(), c.review_note = $note
CREATE (c)-[:HAS_DECISION]->(:Decision {id: $decision, decision: $status, by: $reviewer,
        at: c.reviewed_at, note: $note, via: $via, revision: c.revision})
RETURN c.id AS id, c.status AS status
"""
_DECIDE_CLAIM = """
MATCH (cl:Claim {id: $id})
WITH cl, cl.status AS before
WHERE before = 'suggested'
SET cl.status = $status, cl.reviewed_by = $reviewer, cl.reviewed_at = datetime(), cl.review_note = $note
CREATE (cl)-[:HAS_DECISION]->(:Decision {id: $decision, decision: $status, by: $reviewer,
        at: cl.reviewed_at, note: $note, via: $via})
WITH cl
OPTIONAL MATCH (cl)-[:SUBJECT]->(item)
RETURN cl.id AS id, cl.status AS status, cl.kind AS kind, collect(item.id) AS items
"""
_CLAIM_STATE = """
MATCH (cl:Claim {id: $id})
RETURN cl.status AS status, cl.reviewed_by AS reviewed_by, toString(cl.reviewed_at) AS reviewed_at
"""
# Page first (the Claim.status index, then one sort over the suggested claims' confidence and
# id), then read the page's evidence: collecting every claim's evidence before paging ran out of
# transaction memory at ~7,000 suggested claims.
_SUGGESTED_TOTAL = "MATCH (cl:Claim {status: 'suggested'}) RETURN count(cl) AS total"
_SUGGESTED = """
MATCH (cl:Claim {status: 'suggested'})
WITH cl ORDER BY cl.confidence DESC, cl.id
SKIP $offset LIMIT $limit
OPTIONAL MATCH (c:Case)-[:MAKES]->(cl)
OPTIONAL MATCH (cl)-[:SUBJECT]->(subject)
OPTIONAL MATCH (cl)-[:OBJECT]->(object)
CALL (cl) {
  OPTIONAL MATCH (cl)-[ev:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(s:Source)
  WITH e, s, ev LIMIT 1
  RETURN CASE WHEN e IS NULL THEN null ELSE {
    excerpt_id: e.id, text: e.text, speaker_role: e.speaker_role, start: ev.start, end: ev.end,
    source_id: s.id, source_title: s.title,
    sentence: CASE WHEN ev.start IS NULL THEN null ELSE substring(s.text, ev.start, ev.end - ev.start) END
  } END AS evidence
}
WITH cl, head(collect(c)) AS c, head(collect(subject)) AS subject, head(collect(object)) AS object,
     head(collect(evidence)) AS evidence
RETURN cl.id AS id, cl.kind AS kind, cl.confidence AS confidence, cl.asserted_by AS asserted_by,
       c.id AS case_id, c.title AS case_title, c.status AS case_status,
       coalesce(subject.name, subject.measure, subject.text) AS subject, labels(subject)[0] AS subject_label,
       coalesce(object.name, object.id) AS object, labels(object)[0] AS object_label, evidence
ORDER BY confidence DESC, id
"""
_DECISIONS = """
CALL {
  MATCH (:Case {id: $id})-[:HAS_DECISION]->(d:Decision) RETURN d
  UNION MATCH (:Claim {id: $id})-[:HAS_DECISION]->(d:Decision) RETURN d
}
RETURN d.decision AS decision, d.by AS by, toString(d.at) AS at, d.note AS note, d.via AS via,
       d.revision AS revision
ORDER BY d.at, d.id
"""


class RevisionChanged(SpreadgraphError):
    """A publish or reject named a revision that is no longer the case's current one."""

    status = 409
    code = "revision_changed"


def case_key(value: str) -> str:
    """Accept 'case:slug' or just 'slug'."""
    return value if value.startswith("case:") else f"case:{value}"


def new_decision_id() -> str:
    return f"decision:{uuid.uuid4().hex}"


def list_cases(status: str | None = "pending", *, driver: Driver | None = None) -> list[dict]:
    """Cases in one review state (all states when status is None), by id."""
    return read(_LIST, {"status": status}, driver=driver)


def get_case(case_id: str, *, driver: Driver | None = None) -> dict[str, Any] | None:
    """One case in any review state, with its current revision's template and submitter."""
    rows = read(_CASE, {"id": case_key(case_id)}, driver=driver)
    return rows[0] if rows else None


def pending_cases(limit: int = 200, *, driver: Driver | None = None) -> list[dict[str, Any]]:
    """Pending cases, oldest submission first, with their current template and submitter."""
    return read(_PENDING, {"limit": limit}, driver=driver)


def set_status(
    case_id: str,
    status: str,
    *,
    reviewer: str,
    note: str | None = None,
    via: str = "cli",
    revision: int | None = None,
    driver: Driver | None = None,
) -> bool:
    """Publish or reject a case and record the decision; False when no case has this id.

    `revision` is the revision the reviewer saw: when the case has been resubmitted since, nothing
    is written and RevisionChanged (409) says which revision is current."""

    def work(tx: ManagedTransaction) -> bool:
        current = tx.run(_REVISION, id=case_key(case_id)).single()
        if current is None:
            return False
        if revision is not None and current["revision"] != revision:
            raise RevisionChanged(
                f"the case changed while you reviewed it: you saw revision {revision}, "
                f"and revision {current['revision']} is now current",
                hint="reload the case and review the current revision",
            )
        params = {"id": case_key(case_id), "status": status, "reviewer": reviewer, "note": note}
        return tx.run(_SET_STATUS, **params, decision=new_decision_id(), via=via).single() is not None

    return write_tx(work, driver=driver)


def decide_claim(
    claim_id: str,
    decision: str,
    *,
    reviewer: str,
    note: str | None = None,
    via: str = "cli",
    driver: Driver | None = None,
) -> dict[str, Any] | None:
    """Confirm or reject a suggested claim and record the decision.

    Returns the claim's new state, or None when it does not exist or is no longer suggested
    (see `claim_state`). A confirmed taxonomy code also refreshes its item's CODED_AS summary.
    """
    if decision not in ("confirmed", "rejected"):
        raise ValueError(f"a claim decision is 'confirmed' or 'rejected', not {decision!r}")

    def work(tx: ManagedTransaction) -> dict[str, Any] | None:
        params = {"id": claim_id, "status": decision, "reviewer": reviewer, "note": note, "via": via}
        record = tx.run(_DECIDE_CLAIM, **params, decision=new_decision_id()).single()
        if record is None:
            return None
        if record["kind"] == "coded_as":
            tidy_items(tx, list(record["items"]))
        return {"id": record["id"], "status": record["status"], "kind": record["kind"]}

    return write_tx(work, driver=driver)


def claim_state(claim_id: str, *, driver: Driver | None = None) -> dict[str, Any] | None:
    """A claim's review state (status, reviewed_by, reviewed_at), or None when absent."""
    rows = read(_CLAIM_STATE, {"id": claim_id}, driver=driver)
    return rows[0] if rows else None


def suggested_claims(
    limit: int = 50, offset: int = 0, *, driver: Driver | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """(how many claims are suggested, one page of them, most confident first, with evidence)."""

    def work(tx: ManagedTransaction) -> tuple[int, list[dict[str, Any]]]:
        total = tx.run(_SUGGESTED_TOTAL).single()["total"]
        rows = [r.data() for r in tx.run(_SUGGESTED, limit=limit, offset=offset)]
        return total, rows

    return read_tx(work, driver=driver)


def decisions(node_id: str, *, driver: Driver | None = None) -> list[dict[str, Any]]:
    """Every decision recorded on a case or claim, oldest first."""
    return read(_DECISIONS, {"id": node_id}, driver=driver)


class NotDecidable(SpreadgraphError):
    """No case or claim has this id (404)."""

    status = 404
    code = "not_found"


class AlreadyDecided(SpreadgraphError):
    """The claim was confirmed or rejected already (409)."""

    status = 409
    code = "conflict"


def decide_case(
    case_id: str,
    status: str,
    *,
    reviewer: str,
    note: str | None = None,
    via: str,
    revision: int | None = None,
    driver: Driver | None = None,
) -> str:
    """The one case decision the CLI, the API and the pages make: publish or reject, recorded;
    returns the case id, or raises NotDecidable / RevisionChanged."""
    key = case_key(case_id)
    if not set_status(key, status, reviewer=reviewer, note=note, via=via, revision=revision, driver=driver):
        raise NotDecidable(f"no case has the id '{key}'", hint="see `spreadgraph review list`")
    return key


def decide_suggested_claim(
    claim_id: str,
    decision: str,
    *,
    reviewer: str,
    note: str | None = None,
    via: str,
    driver: Driver | None = None,
) -> dict[str, Any]:
    """The one claim decision: confirm or reject a suggested claim, recorded; raises NotDecidable
    or AlreadyDecided (saying by whom) otherwise."""
    done = decide_claim(claim_id, decision, reviewer=reviewer, note=note, via=via, driver=driver)
    if done is not None:
        return done
    state = claim_state(claim_id, driver=driver)
    if state is None:
        raise NotDecidable(f"no claim has the id '{claim_id}'", hint="see `spreadgraph review claims`")
    by = f" (by {state['reviewed_by']})" if state.get("reviewed_by") else ""
    raise AlreadyDecided(
        f"the claim is already {state['status']}{by}", hint="only suggested claims are confirmed or rejected"
    )
