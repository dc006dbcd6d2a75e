"""Writes validated case templates to the graph, with revisions, inside the caller's transaction.

A case keeps a stable id (`case:<template id or title slug>`). Submitting identical content
again writes nothing; changed content adds a Revision (who, when, which field paths changed),
replaces the case's template-made nodes and claims, keeps every earlier Revision, and puts the
case back to 'pending' review. Claims from other sources (documents, coded imports) are kept.

`write_cases` takes many templates (a folder being ingested) and writes the new cases together,
one UNWIND per kind of row (graph/case_batch.py); a revised case, or a second file for a case
already in the batch, is written by itself (in the same transaction) at its place in the order, so
the graph is the one `submit_case` would make file after file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from neo4j import ManagedTransaction
from spreadgraph.graph.case_batch import resolver, write_plans
from spreadgraph.graph.case_rows import (
    LINK_KINDS,
    CasePlan,
    canonical,
    case_id_for,
    contributor_id,
    plan_case,
    slug,
)
from spreadgraph.schema.diff import changed_paths
from spreadgraph.schema.template import CaseTemplate

__all__ = ["LINK_KINDS", "CaseWrite", "canonical", "case_id_for", "contributor_id", "slug"]
__all__ += ["submit_case", "write_cases"]

_CURRENT = """
UNWIND $ids AS case_id
MATCH (c:Case {id: case_id})
OPTIONAL MATCH (c)-[:HAS_REVISION]->(r:Revision {number: c.revision})
RETURN c.id AS id, c.revision AS revision, r.content_hash AS hash, r.template AS template
"""
_CLEAR = """
MATCH (c:Case {id: $id})
OPTIONAL MATCH (c)-[:MAKES]->(cl:Claim {method: 'template'})
OPTIONAL MATCH (cl)-[:SUBJECT|OBJECT]->(item)
WHERE item:Barrier OR item:Enabler OR item:Approach
WITH c, collect(DISTINCT cl) AS claims, collect(DISTINCT item.id) AS items
OPTIONAL MATCH (c)-[:ABOUT]->(inn:Innovation)
WITH c, claims, items, collect(inn.id) AS inns
WITH c, claims, items + inns AS items
CALL {
  WITH c, claims
  UNWIND claims AS cl
  OPTIONAL MATCH (cl)-[:SUBJECT]->(owned) WHERE owned:Outcome OR owned:Lesson
  DETACH DELETE owned, cl
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:HAS_ADOPTION|IN_CONTEXT]->(part)
  DETACH DELETE part
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:HAS_EXCERPT]->(e:Excerpt {kind: 'template_quote'})
  DETACH DELETE e
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[a:ABOUT|DESCRIBED_IN]->()
  DELETE a
}
RETURN items
"""


@dataclass
class CaseWrite:
    """What happened to one submitted case."""

    case_id: str
    action: str  # created | revised | unchanged
    revision: int
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def submit_case(tx: ManagedTransaction, template: CaseTemplate, *, file_name: str | None = None) -> CaseWrite:
    """Write (or revise) one case inside the caller's transaction; unchanged content writes nothing."""
    return write_cases(tx, [(template, file_name)])[0]


def write_cases(tx: ManagedTransaction, entries: list[tuple[CaseTemplate, str | None]]) -> list[CaseWrite]:
    """Write (or revise) each (template, file name) in order inside the caller's transaction; one
    CaseWrite per entry. New cases are written together; the result equals one `submit_case` each."""
    ids = [case_id_for(t) for t, _ in entries]
    current = {r["id"]: r for r in tx.run(_CURRENT, ids=sorted(set(ids)))}
    results: list[CaseWrite | None] = [None] * len(entries)
    pending: list[tuple[int, CaseTemplate, str | None, tuple]] = []
    seen: set[str] = set()

    def flush() -> None:
        plans = _plan(tx, [(t, f, form, 1, [], "created") for _, t, f, form in pending])
        for (i, *_), plan in zip(pending, plans, strict=True):
            results[i] = CaseWrite(plan.case_id, plan.action, plan.number, plan.changes, plan.notes)
        pending.clear()

    for i, ((template, file_name), case_id) in enumerate(zip(entries, ids, strict=True)):
        form = canonical(template)
        if case_id in seen:  # a second file for this case: it sees what the first one wrote
            flush()
            state = tx.run(_CURRENT, ids=[case_id]).single()
        else:
            state = current.get(case_id)
        seen.add(case_id)
        if state is not None and state["hash"] == form[1]:
            results[i] = CaseWrite(case_id, "unchanged", state["revision"])
        elif state is None:
            pending.append((i, template, file_name, form))
        else:  # a revision clears the old version and tidies its items before later cases resolve names
            flush()
            number = (state["revision"] or 0) + 1
            changes = changed_paths(json.loads(state["template"] or "{}"), form[0])
            touched: list[str] = tx.run(_CLEAR, id=case_id).single()["items"]
            plan = _plan(tx, [(template, file_name, form, number, changes, "revised")], touched)[0]
            results[i] = CaseWrite(case_id, "revised", number, changes, plan.notes)
    flush()
    return [r for r in results if r is not None]


def _plan(
    tx: ManagedTransaction,
    cases: list[tuple[CaseTemplate, str | None, tuple, int, list[str], str]],
    touched: list[str] | None = None,
) -> list[CasePlan]:
    """Plan (resolving names in order) and write these cases together."""
    if not cases:
        return []
    items, resolve = resolver(tx)
    plans = [
        plan_case(t, form, number=n, changes=ch, action=a, resolve=resolve, file_name=f)
        for t, f, form, n, ch, a in cases
    ]
    write_plans(tx, plans, items, touched)
    return plans
