"""Review-queue decisions: one decision over every suggested claim a case (or document) makes
about one item, for several groups at once; rename and merge teach the vocabulary
(graph/review_queue.py holds the queue and the item edits). The CLI, the API and the pages call
:func:`decide_groups`."""

from __future__ import annotations

from typing import Any

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.connection import read, write_tx
from spreadgraph.graph.decisions import AlreadyDecided, NotDecidable, new_decision_id
from spreadgraph.graph.item_resolution import tidy_items
from spreadgraph.graph.review_queue import (
    NAMED_LABELS,
    GroupRefused,
    group_claims,
    merge_item,
    rename_item,
    split_group_id,
)

# Group decisions: one decision over every suggested claim a case makes about one item
# (graph/review_queue.py). One Decision node names the group, the item and each claim decided,
# hung off every one of those claims with HAS_DECISION.
GROUP_ACTIONS = ("confirm", "reject", "rename", "merge")
_DECIDE_GROUP = """
MATCH (cl:Claim) WHERE cl.id IN $claims AND cl.status = 'suggested'
WITH cl ORDER BY cl.id
SET cl.status = $status, cl.reviewed_by = $reviewer, cl.reviewed_at = datetime(), cl.review_note = $note
WITH collect(cl) AS decided
CREATE (d:Decision {id: $decision, decision: $status, by: $reviewer, at: datetime(), note: $note,
                    via: $via, action: $action, group: $group, item: $item,
                    claims: [cl IN decided | cl.id], old_name: $old_name, new_name: $new_name,
                    merged_into: $into})
FOREACH (cl IN decided | CREATE (cl)-[:HAS_DECISION]->(d))
RETURN d.claims AS claims, [cl IN decided WHERE cl.kind = 'coded_as' | cl.id] AS coded
"""


def _group_targets(
    tx: ManagedTransaction, group: str, seen: list[str] | None
) -> tuple[str, str, str, list[str]]:
    """(where id, item id, item label, claim ids to decide) of one group; 404 / 409 otherwise."""
    parts = split_group_id(group)
    if parts is None:
        raise NotDecidable(f"'{group}' is not a group id", hint="see `spreadgraph review groups`")
    rows = group_claims(tx, *parts)
    if not rows:
        raise NotDecidable(f"no claims are grouped under '{group}'", hint="see `spreadgraph review groups`")
    status = {r["id"]: r for r in rows}
    suggested = [r["id"] for r in rows if r["status"] == "suggested"]
    targets = list(dict.fromkeys(seen)) if seen else suggested
    gone = [c for c in targets if c not in suggested]
    if gone or not targets:
        by = sorted(
            {status[c]["reviewed_by"] for c in gone or status if c in status and status[c]["reviewed_by"]}
        )
        who = f" by {', '.join(by)}" if by else ""
        raise AlreadyDecided(
            f"the group '{group}' was decided meanwhile{who}"
            if seen
            else f"the group '{group}' is already decided{who}",
            hint="reload the review queue",
        )
    return parts[0], parts[1], rows[0]["item_label"], targets


def decide_groups(
    groups: list[str],
    action: str,
    *,
    reviewer: str,
    note: str | None = None,
    via: str,
    name: str | None = None,
    into: str | None = None,
    seen: dict[str, list[str]] | None = None,
    driver: Driver | None = None,
) -> list[dict[str, Any]]:
    """The one group decision the CLI, the API and the pages make, all groups in one transaction.

    `action` is 'confirm' or 'reject' (several groups at once), or 'rename' (to `name`, for every
    case: items are shared) or 'merge' (into the item `into`, of the same kind); a rename or merge
    also confirms the groups' claims. `seen` names, per group, the claims the reviewer saw: only
    those are decided, and a group any of them left meanwhile answers AlreadyDecided (409), as
    does a group with nothing left to decide; nothing is written then. Returns one record per
    group: the decision id, its status and the claims it decided.
    """
    if action not in GROUP_ACTIONS:
        raise GroupRefused(f"a group decision is one of {', '.join(GROUP_ACTIONS)}, not '{action}'")
    groups = list(dict.fromkeys(g.strip() for g in groups if g and g.strip()))
    if not groups:
        raise GroupRefused("name at least one group", hint="see `spreadgraph review groups`")
    name = (name or "").strip() or None
    if action == "rename" and not name:
        raise GroupRefused("a rename needs the new name")
    if action == "merge" and not (into or "").strip():
        raise GroupRefused("a merge needs the id of the item to merge into")
    status = "rejected" if action == "reject" else "confirmed"

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        targets = [_group_targets(tx, g, (seen or {}).get(g)) for g in groups]
        old_name = new_name = merged_into = None
        items = {item for _, item, _, _ in targets}
        if action in ("rename", "merge"):
            labels = {label for _, _, label, _ in targets}
            if len(items) != 1 or not labels <= set(NAMED_LABELS):
                raise GroupRefused(
                    "a rename or merge names groups of one barrier, enabler or approach",
                    hint="outcomes and lessons have no name to change",
                )
            label, item = labels.pop(), items.pop()
            if action == "rename":
                old_name, new_name = rename_item(tx, label, item, name), name
            else:
                merged_into = into.strip()
                old_name = merge_item(tx, label, item, merged_into)
                items = {merged_into}
        done, coded = [], []
        for group, (_, item, _, claim_ids) in zip(groups, targets, strict=True):
            decision = new_decision_id()
            params = {"claims": claim_ids, "status": status, "reviewer": reviewer, "note": note, "via": via}
            record = tx.run(
                _DECIDE_GROUP,
                **params,
                decision=decision,
                action=action,
                group=group,
                item=item,
                old_name=old_name,
                new_name=new_name,
                into=merged_into,
            ).single()
            coded += record["coded"]
            done.append(
                {
                    "group": group,
                    "decision": decision,
                    "action": action,
                    "status": status,
                    "item": item,
                    "claims": record["claims"],
                    "merged_into": merged_into,
                    "new_name": new_name,
                    "old_name": old_name,
                }
            )
        if coded or merged_into:
            tidy_items(tx, sorted(items))
        return done

    return write_tx(work, driver=driver)


_GROUP_DECISIONS = """
MATCH (d:Decision {group: $group})
RETURN d.id AS id, d.decision AS decision, d.action AS action, d.by AS by, toString(d.at) AS at,
       d.note AS note, d.via AS via, d.claims AS claims, d.item AS item, d.old_name AS old_name,
       d.new_name AS new_name, d.merged_into AS merged_into
ORDER BY d.at, d.id
"""


def group_decisions(group: str, *, driver: Driver | None = None) -> list[dict[str, Any]]:
    """Every decision taken on one group, oldest first (each names the claims it decided)."""
    return read(_GROUP_DECISIONS, {"group": group}, driver=driver)
