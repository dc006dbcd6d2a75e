"""Shared Barrier / Enabler / Approach / Innovation nodes, resolved from free-text names.

The same barrier named in two templates must be one node. A name resolves, in order, to the
node whose normalised name or alias equals the normalised name (case, spacing and '&' do not
matter) or one of the template's aliases (a node's own name before another node's alias, then
the smaller id, so the answer never depends on storage order); otherwise a new node is made
whose id comes from the normalised name. Near misses are returned as notes so a contributor can align names.
An item named after a vocabulary concept (the extractor's resolved findings) carries the
concept's variants as aliases, so a template naming it by a variant lands on the same node, and
is linked `(item)-[:IS_CONCEPT]->(:Concept)` (the concept's codes are the item's codes).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

from neo4j import ManagedTransaction
from spreadgraph.schema.names import normalise_name as normalise

SHARED_LABELS = ("Barrier", "Enabler", "Approach", "Innovation")
CONCEPT_LABELS = ("Barrier", "Enabler", "Approach")

# Labels cannot be parameters in Cypher; these are built from the fixed tuple above only.
_EXISTING = {
    label: f"MATCH (n:{label}) RETURN n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases"
    for label in SHARED_LABELS
}
_MERGE = {
    label: f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n.name = row.name, n.aliases = []
SET n.description = coalesce(n.description, row.description),
    n.aliases = coalesce(n.aliases, []) + [a IN row.aliases WHERE NOT a IN coalesce(n.aliases, [])
                                           AND toLower(a) <> toLower(n.name)]
"""
    + (", n.type = coalesce(n.type, row.type)" if label == "Innovation" else "")
    + (
        """
WITH n, row WHERE row.concept IS NOT NULL
MATCH (k:Concept {id: row.concept})
MERGE (n)-[:IS_CONCEPT]->(k)
"""
        if label in CONCEPT_LABELS
        else ""
    )
    for label in SHARED_LABELS
}


@dataclass(frozen=True)
class ItemName:
    """A name as written in a template, with its field path and optional aliases."""

    field: str
    name: str
    description: str | None = None
    aliases: tuple[str, ...] = ()
    type: str | None = None
    concept: str | None = None  # id of the vocabulary Concept this item is (extractor items)


def item_id(label: str, name: str) -> str:
    """Stable id from the normalised name, e.g. 'barrier:staff-time-pressures'."""
    slug = re.sub(r"[^\w]+", "-", normalise(name)).strip("-")[:80]
    if not slug:
        slug = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{label.lower()}:{slug}"


def _resolve(
    label: str, items: list[ItemName], known: dict[str, str], display: dict[str, str]
) -> tuple[dict[str, str], list[str], list[dict]]:
    """Resolve items against `known` (normalised name -> id, updated in place): ids, notes, MERGE rows."""
    ids: dict[str, str] = {}
    notes: list[str] = []
    rows = []
    for item in items:
        keys = [normalise(n) for n in (item.name, *item.aliases)]
        node = next((known[k] for k in keys if k in known), None)
        if node is None:
            near = difflib.get_close_matches(keys[0], list(known), n=1, cutoff=0.85)
            if near:
                notes.append(
                    f"{item.field}: '{item.name}' looks like the existing {label.lower()} "
                    f"'{display[known[near[0]]]}'; if they are the same, use that name or list it as an alias"
                )
            node = item_id(label, item.name)
            display.setdefault(node, item.name)
        for key in keys:
            known.setdefault(key, node)
        ids[item.field] = node
        rows.append(
            {
                "id": node,
                "name": item.name,
                "description": item.description,
                "aliases": [a for a in item.aliases if normalise(a) != normalise(display[node])],
                "type": item.type,
                "concept": item.concept,
            }
        )
    return ids, notes, rows


def _known(nodes: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """Normalised name or alias -> node id: every node's own name first, then the aliases, each
    pass in id order, so a name shared by two nodes goes the same way whatever the storage order."""
    known: dict[str, str] = {}
    order = sorted(nodes)
    for node in order:
        known.setdefault(normalise(nodes[node][0]), node)
    for node in order:
        for alias in nodes[node][1]:
            known.setdefault(normalise(alias), node)
    return known


def resolve_items(
    tx: ManagedTransaction, label: str, items: list[ItemName]
) -> tuple[dict[str, str], list[str]]:
    """Map each item's field path to a node id (merging the nodes); also return similarity notes."""
    nodes = {row["id"]: (row["name"], row["aliases"]) for row in tx.run(_EXISTING[label])}
    display = {node: name for node, (name, _) in nodes.items()}
    ids, notes, rows = _resolve(label, items, _known(nodes), display)
    if rows:
        tx.run(_MERGE[label], rows=rows)
    return ids, notes


class ItemResolver:
    """`resolve_items` for many cases in one transaction: reads each label's items once, resolves
    in memory case after case (tracking the names and aliases the MERGEs would store), and writes
    every MERGE row, in order, with one statement per label (`merge`)."""

    def __init__(self, tx: ManagedTransaction, labels: tuple[str, ...] = SHARED_LABELS) -> None:
        self.nodes: dict[str, dict[str, tuple[str, list[str]]]] = {}
        self.known: dict[str, dict[str, str]] = {}
        self.rows: dict[str, list[dict]] = {label: [] for label in labels}
        for label in labels:
            self.nodes[label] = {r["id"]: (r["name"], list(r["aliases"])) for r in tx.run(_EXISTING[label])}
            self.known[label] = _known(self.nodes[label])

    def resolve(self, label: str, items: list[ItemName]) -> tuple[dict[str, str], list[str]]:
        """As `resolve_items` would answer now, without writing (see `merge`)."""
        nodes = self.nodes[label]
        display = {node: name for node, (name, _) in nodes.items()}
        ids, notes, rows = _resolve(label, items, dict(self.known[label]), display)
        stale = False
        for row in rows:  # what the MERGE will store: a new node's name, then any new aliases
            if row["id"] not in nodes:
                nodes[row["id"]] = (row["name"], [])
                self.known[label].setdefault(normalise(row["name"]), row["id"])
            name, stored = nodes[row["id"]]
            added = [a for a in row["aliases"] if a not in stored and a.lower() != name.lower()]
            stored += added
            stale = stale or bool(added)
        if stale:  # an older node's new alias may win a name it now shares with a newer node
            self.known[label] = _known(nodes)
        self.rows[label] += rows
        return ids, notes

    def merge(self, tx: ManagedTransaction) -> None:
        """Write the resolved items: one UNWIND per label, rows in resolution order."""
        for label, rows in self.rows.items():
            if rows:
                tx.run(_MERGE[label], rows=rows)
            rows.clear()


# Look the items up label by label, so each lookup is a seek on that label's id constraint
# (a label-less `MATCH (n) WHERE n.id IN $ids` scans every node in the graph).
_ITEMS = """
UNWIND $ids AS item_id
CALL (item_id) {
  MATCH (n:Barrier {id: item_id}) RETURN n
  UNION MATCH (n:Enabler {id: item_id}) RETURN n
  UNION MATCH (n:Approach {id: item_id}) RETURN n
  UNION MATCH (n:Innovation {id: item_id}) RETURN n
}
"""
_DELETE_ORPHANS = (
    _ITEMS
    + """
WITH n WHERE NOT EXISTS { (n)<-[:SUBJECT|OBJECT|ABOUT]-() }
DETACH DELETE n
"""
)
_RECODE = (
    _ITEMS
    + """
OPTIONAL MATCH (n)-[old:CODED_AS]->()
DELETE old
WITH DISTINCT n
MATCH (n)<-[:SUBJECT]-(c:Claim {kind: 'coded_as', status: 'confirmed'})-[:OBJECT]->(code)
WHERE code:CfirConstruct OR code:EricStrategy
MERGE (n)-[:CODED_AS]->(code)
"""
)


def tidy_items(tx: ManagedTransaction, ids: list[str]) -> None:
    """Rebuild CODED_AS summaries of these items from confirmed claims; delete ones nothing uses."""
    if ids:
        tx.run(_RECODE, ids=ids)
        tx.run(_DELETE_ORPHANS, ids=ids)
