"""Near-duplicate items collapse into one node with aliases, across documents and templates.

`graph/item_resolution.py` resolves a name to an item when its normalised name or an alias is
equal. Variants that differ more ("Lack of staff time" in a template, "staff time, lack of" in a
coded export, "lack of staff time" under another wording) are joined afterwards, per kind, by

1. **name key** (`graph/name_keys.name_key`): the same content words, in any order, singular or
   plural, British or American spelling, hyphens and function words ignored; or
2. **name cosine** >= :data:`NAME_COSINE` between a phrasing (name or alias) of one item and one of
   the other with as many content words (MiniLM unit vectors, given by the caller: the graph layer
   embeds nothing). The word-count guard keeps a narrower item apart: "lack of staff" is not
   "lack of staff time", though their cosine is high.

Calibration of :data:`NAME_COSINE` (on the concept vocabulary, schema/concepts.yaml, never on the
evaluation gold): over its 2,160 barrier/enabler/approach phrasings, pairs of phrasings of two
*different* concepts of one kind (787,030 pairs) reach cosine >= 0.80 in 28 pairs, >= 0.85 in 10
and >= 0.88 in 5 (0.6 per 100,000); with the word-count guard 2 remain ("secured funding" /
"secure funding", a near-identical wording, and "clinical reminders" / "patient reminders" at
0.886). The vocabulary is deliberately fine-grained, so 0.88 is the lowest threshold at which a
merge is almost never a distinction the field draws (0.85 lets 7 through). Phrasings of one concept are mostly
paraphrases, not near-duplicates (9% reach 0.88), which is why the vocabulary, not the cosine,
names findings; this pass only folds wordings that are the same name.

Never merged: items of different kinds (each pass is one label), and two items that are different
vocabulary concepts. The survivor is the concept's item, else one a person confirmed, else the
smallest id; it takes every claim, the others' names and aliases as aliases and their ids in
`merged_ids`. Re-running changes nothing (the names are aliases now, and resolve to the survivor),
so re-ingest and re-extraction stay idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.connection import read_tx, write_tx
from spreadgraph.graph.item_resolution import CONCEPT_LABELS, tidy_items
from spreadgraph.graph.name_keys import content, name_key
from spreadgraph.schema.names import normalise_name

NAME_COSINE = 0.88
Encode = Callable[[list[str]], Sequence[Sequence[float]]]

_ITEMS = {
    label: f"""
MATCH (n:{label})
RETURN n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases,
       head([(n)-[:IS_CONCEPT]->(k) | k.id]) AS concept,
       EXISTS {{ (n)<-[:SUBJECT|OBJECT]-(:Claim {{status: 'confirmed'}}) }} AS confirmed
ORDER BY n.id
"""
    for label in CONCEPT_LABELS
}
_MERGE = {
    label: f"""
MATCH (keep:{label} {{id: $keep}}), (gone:{label} {{id: $gone}})
SET keep.description = coalesce(keep.description, gone.description),
    keep.aliases = $aliases,
    keep.merged_ids = coalesce(keep.merged_ids, []) + [x IN [gone.id] + coalesce(gone.merged_ids, [])
                                                       WHERE NOT x IN coalesce(keep.merged_ids, [])]
WITH keep, gone
CALL (keep, gone) {{
  MATCH (cl:Claim)-[r:SUBJECT]->(gone) MERGE (cl)-[:SUBJECT]->(keep) DELETE r
}}
CALL (keep, gone) {{
  MATCH (cl:Claim)-[r:OBJECT]->(gone) MERGE (cl)-[:OBJECT]->(keep) DELETE r
}}
CALL (keep, gone) {{
  MATCH (gone)-[:IS_CONCEPT]->(k) WHERE NOT EXISTS {{ (keep)-[:IS_CONCEPT]->() }}
  MERGE (keep)-[:IS_CONCEPT]->(k)
}}
DETACH DELETE gone
"""
    for label in CONCEPT_LABELS
}


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    concept: str | None = None
    confirmed: bool = False

    @property
    def phrasings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, *self.aliases)))


def _rank(item: Item) -> tuple[bool, bool, str]:
    return (item.concept is None, not item.confirmed, item.id)


def plan_merges(
    items: list[Item], vectors: dict[str, Sequence[float]] | None = None, threshold: float = NAME_COSINE
) -> list[tuple[Item, list[Item]]]:
    """Groups of one kind's items that are one thing: (survivor, the others), survivor first."""
    parent = list(range(len(items)))
    concepts: list[set[str]] = [{i.concept} if i.concept else set() for i in items]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb and len(concepts[ra] | concepts[rb]) <= 1:
            parent[rb] = ra
            concepts[ra] |= concepts[rb]

    by_key: dict[str, int] = {}
    for i, item in enumerate(items):
        for phrase in item.phrasings:
            key = name_key(phrase)
            if key in by_key:
                union(by_key[key], i)
            else:
                by_key.setdefault(key, i)
    if vectors:
        owner, rows, sizes = [], [], []
        for i, item in enumerate(items):
            for phrase in item.phrasings:
                if phrase in vectors:
                    owner.append(i)
                    rows.append(vectors[phrase])
                    sizes.append(len(content(phrase)))
        if rows:
            matrix = np.asarray(rows, dtype=np.float32)
            sims = matrix @ matrix.T
            for a, b in zip(*np.nonzero(np.triu(sims >= threshold, k=1)), strict=True):
                if owner[a] != owner[b] and sizes[a] == sizes[b]:
                    union(owner[a], owner[b])
    groups: dict[int, list[Item]] = {}
    for i, item in enumerate(items):
        groups.setdefault(find(i), []).append(item)
    out = []
    for members in groups.values():
        if len(members) > 1:
            members = sorted(members, key=_rank)
            out.append((members[0], members[1:]))
    return out


def merge_group(tx: ManagedTransaction, label: str, keep: Item, others: list[Item]) -> None:
    """Fold `others` into `keep`: claims move, names become aliases, ids go to `merged_ids`."""
    aliases: list[str] = []
    seen = {normalise_name(keep.name)}
    for phrase in (*keep.aliases, *(p for o in others for p in o.phrasings)):
        if normalise_name(phrase) not in seen:
            seen.add(normalise_name(phrase))
            aliases.append(phrase)
    for other in others:
        tx.run(_MERGE[label], keep=keep.id, gone=other.id, aliases=aliases)
    tidy_items(tx, [keep.id])


def consolidate_items(
    encode: Encode | None = None,
    *,
    labels: Sequence[str] = CONCEPT_LABELS,
    threshold: float = NAME_COSINE,
    driver: Driver | None = None,
) -> dict[str, list[tuple[str, list[str]]]]:
    """Merge near-duplicate items of each label; `encode` (texts -> unit vectors) adds the cosine
    test, without it only name keys merge. Returns, per label, (survivor id, merged ids)."""
    done: dict[str, list[tuple[str, list[str]]]] = {}
    for label in labels:
        rows = read_tx(lambda tx, label=label: [r.data() for r in tx.run(_ITEMS[label])], driver=driver)
        items = [Item(r["id"], r["name"], tuple(r["aliases"]), r["concept"], r["confirmed"]) for r in rows]
        vectors = None
        if encode is not None and items:
            texts = list(dict.fromkeys(p for i in items for p in i.phrasings))
            vectors = dict(zip(texts, encode(texts), strict=True))
        plan = plan_merges(items, vectors, threshold)
        for keep, others in plan:
            write_tx(lambda tx, k=keep, o=others, label=label: merge_group(tx, label, k, o), driver=driver)
        if plan:
            done[label] = [(keep.id, [o.id for o in others]) for keep, others in plan]
    return done
