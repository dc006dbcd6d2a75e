"""The grouped review queue: suggested claims grouped by case and item, most confident first.

A group is one case and one subject item (a Barrier, Enabler, Approach, Outcome or Lesson) with
every suggested claim the case makes about that item: the finding itself, its taxonomy codes
(`coded_as`) and, for an approach, its links to barriers. An extractor claim whose excerpt
belongs to no case is grouped under its source document instead. A group's id is
`<case or source id>~<item id>` (neither kind of id holds a '~').

Order: the group's highest claim confidence, then its number of passages (evidence links),
then the case and item ids, so pages are stable while the graph is. The statement groups node
references only (no text), pages, and reads text and spans for the page's groups alone, so a
page costs one pass over the suggested claims' ids and edges, not their evidence
(bench/review_queue.py times it; the old per-claim queue collected every claim's evidence
before it paged and ran out of transaction memory at ~7,000 claims).
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.connection import get_driver, read, read_tx
from spreadgraph.graph.item_resolution import item_id
from spreadgraph.graph.versioned_cache import VersionedCache, graph_version
from spreadgraph.schema.names import normalise_name as normalise

from spreadgraph.errors import SpreadgraphError

SEPARATOR = "~"
#: How many claims and passages of one group the queue shows (the decision covers all of them).
SHOWN_CLAIMS = 20
SHOWN_PASSAGES = 5

# Each suggested claim with its subject item and where it was made: its case, or (extractor
# claims on an excerpt no case owns) the excerpt's source.
_KEYED = """
MATCH (cl:Claim {status: 'suggested'})-[:SUBJECT]->(item)
OPTIONAL MATCH (c:Case)-[:MAKES]->(cl)
WITH cl, item, CASE WHEN c IS NULL
  THEN head(COLLECT { MATCH (cl)-[:EVIDENCED_BY]->(:Excerpt)-[:FROM]->(s:Source) RETURN s LIMIT 1 })
  ELSE c END AS where
WITH where, item, max(cl.confidence) AS confidence, count(cl) AS claim_count,
     sum(COUNT { (cl)-[:EVIDENCED_BY]->() }) AS passage_count, collect(cl) AS claims
"""
TOTALS = (
    _KEYED
    + """
WITH count(*) AS groups
RETURN groups, COUNT { MATCH (cl:Claim {status: 'suggested'}) } AS claims
"""
)
PAGE = (
    _KEYED
    + """
ORDER BY confidence DESC, passage_count DESC, where.id, item.id
SKIP $offset LIMIT $limit
CALL (claims) {
  UNWIND claims AS cl
  OPTIONAL MATCH (cl)-[:OBJECT]->(object)
  WITH cl, object ORDER BY cl.confidence DESC, cl.id
  RETURN collect(cl.id) AS claim_ids,
         collect({id: cl.id, kind: cl.kind, confidence: cl.confidence, asserted_by: cl.asserted_by,
                  object: coalesce(object.name, object.id), object_label: labels(object)[0]})[..$shown_claims]
           AS claim_rows
}
CALL (claims) {
  UNWIND claims AS cl
  MATCH (cl)-[ev:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(s:Source)
  WITH DISTINCT e, s, ev.start AS start, ev.end AS end
  ORDER BY s.id, coalesce(start, e.start)
  WITH collect({e: e, s: s, start: start, end: end}) AS found
  RETURN size(found) AS distinct_passages, [p IN found[..$shown_passages] | {
    excerpt_id: p.e.id, text: p.e.text, speaker_role: p.e.speaker_role, start: p.start, end: p.end,
    source_id: p.s.id, source_title: p.s.title,
    sentence: CASE WHEN p.start IS NULL THEN null ELSE substring(p.s.text, p.start, p.end - p.start) END
  }] AS passages
}
RETURN where.id + $separator + item.id AS id, where.id AS where_id, where:Case AS in_case,
       coalesce(where.title, where.id) AS where_title, where.status AS case_status,
       item.id AS item_id, labels(item)[0] AS item_label,
       coalesce(item.name, item.measure, item.text) AS item_name, coalesce(item.aliases, []) AS item_aliases,
       confidence, claim_count, distinct_passages AS passage_count, claim_ids, claim_rows AS claims, passages
"""
)

# Every claim (any status) of one group, to decide it or to say why it cannot be.
GROUP_CLAIMS_IN_CASE = """
MATCH (:Case {id: $where})-[:MAKES]->(cl:Claim)-[:SUBJECT]->(item {id: $item})
RETURN cl.id AS id, cl.status AS status, cl.kind AS kind, cl.reviewed_by AS reviewed_by,
       labels(item)[0] AS item_label
"""
GROUP_CLAIMS_IN_SOURCE = """
MATCH (:Source {id: $where})<-[:FROM]-(:Excerpt)<-[:EVIDENCED_BY]-(cl:Claim)-[:SUBJECT]->(item {id: $item})
WHERE NOT EXISTS { (:Case)-[:MAKES]->(cl) }
RETURN DISTINCT cl.id AS id, cl.status AS status, cl.kind AS kind, cl.reviewed_by AS reviewed_by,
       labels(item)[0] AS item_label
"""


def group_id(where_id: str, item_id: str) -> str:
    return f"{where_id}{SEPARATOR}{item_id}"


def split_group_id(value: str) -> tuple[str, str] | None:
    """(case or source id, item id), or None when the value is not a group id."""
    where, sep, item = value.strip().partition(SEPARATOR)
    if not sep or not item or not where.startswith(("case:", "source:")):
        return None
    return where, item


def group_claims(tx: ManagedTransaction, where_id: str, item_id: str) -> list[dict[str, Any]]:
    """Every claim of one group, in any review state."""
    statement = GROUP_CLAIMS_IN_CASE if where_id.startswith("case:") else GROUP_CLAIMS_IN_SOURCE
    return [r.data() for r in tx.run(statement, where=where_id, item=item_id)]


#: The queue's totals (groups, suggested claims) read every group: at 100,000 excerpts that was
#: half of each page's time (docs/benchmarks.md, review queue). They are reused while the graph is
#: unchanged (graph/versioned_cache.py), so paging costs the page alone; a decision changes the
#: graph, and the next page counts again.
_TOTALS = VersionedCache(ttl=600.0, size=4)


def queue_totals(driver: Driver | None = None) -> dict[str, int]:
    """{groups, claims}: how many groups and suggested claims wait, reused while the graph is unchanged."""
    driver = driver or get_driver()
    return _TOTALS.get(id(driver), graph_version(driver), lambda: read(TOTALS, driver=driver)[0])


def suggested_groups(
    limit: int = 25, offset: int = 0, *, with_totals: bool = True, driver: Driver | None = None
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """({groups, claims} totals, one page of groups), most confident first, each with its claims'
    ids, the first SHOWN_CLAIMS claims and the first SHOWN_PASSAGES passages (sentence and link)."""
    params = {
        "limit": max(1, limit),
        "offset": max(0, offset),
        "separator": SEPARATOR,
        "shown_claims": SHOWN_CLAIMS,
        "shown_passages": SHOWN_PASSAGES,
    }
    totals = queue_totals(driver) if with_totals else {"groups": 0, "claims": 0}
    rows = read_tx(lambda tx: [record.data() for record in tx.run(PAGE, params)], driver=driver)
    return totals, rows


# A rename or merge of a group's item (graph/decisions.py `decide_groups` calls these inside its
# transaction). Items are shared by cases, so a rename is global: the node keeps its id.
NAMED_LABELS = ("Barrier", "Enabler", "Approach")
# Labels cannot be parameters; each statement is built from the fixed NAMED_LABELS only.
_NAMED = {
    label: f"""
MATCH (n:{label}) RETURN n.id AS id, n.name AS name, coalesce(n.aliases, []) AS aliases,
       n.description AS description
"""
    for label in NAMED_LABELS
}
# Teaching: the old names become the item's aliases and its Concept's `taught_aliases`; an item
# with no Concept gets a taught one. OPTIONAL MATCH / MERGE: works before Concept nodes exist.
_TEACH = {
    label: f"""
MATCH (n:{label} {{id: $item}})
SET n.name = $name, n.aliases = $aliases
WITH n
OPTIONAL MATCH (n)-[:IS_CONCEPT]->(k:Concept)
WITH n, collect(k) AS concepts
FOREACH (k IN concepts |
  SET k.taught_aliases = coalesce(k.taught_aliases, [])
      + [a IN $taught WHERE NOT a IN coalesce(k.taught_aliases, [])])
FOREACH (_ IN CASE WHEN size(concepts) = 0 AND $create THEN [1] ELSE [] END |
  MERGE (t:Concept {{id: $concept}})
  ON CREATE SET t.kind = $kind, t.name = $name, t.taught_aliases = [], t.source = 'reviewer'
  SET t.taught_aliases = coalesce(t.taught_aliases, [])
      + [a IN $taught WHERE NOT a IN coalesce(t.taught_aliases, [])]
  MERGE (n)-[:IS_CONCEPT]->(t))
"""
    for label in NAMED_LABELS
}
_MERGE_ITEM = {
    label: f"""
MATCH (m:{label} {{id: $item}}), (s:{label} {{id: $into}})
SET s.description = coalesce(s.description, m.description)
WITH m, s
CALL (m, s) {{
  MATCH (cl:Claim)-[r:SUBJECT]->(m) MERGE (cl)-[:SUBJECT]->(s) DELETE r
}}
CALL (m, s) {{
  MATCH (cl:Claim)-[r:OBJECT]->(m) MERGE (cl)-[:OBJECT]->(s) DELETE r
}}
DETACH DELETE m
"""
    for label in NAMED_LABELS
}


class NameInUse(SpreadgraphError):
    """A rename to a name another item of the same kind already has or answers to (409)."""

    status = 409
    code = "conflict"


class GroupRefused(SpreadgraphError):
    """A rename or merge that cannot be done as asked (wrong kind of item, a name in use)."""

    status = 422
    code = "invalid_request"


def _names(name: str, aliases: list[str], drop: list[str]) -> list[str]:
    """`aliases` without duplicates (by normalised name) and without any of `drop`."""
    seen = {normalise(n) for n in drop}
    kept = []
    for alias in aliases:
        if alias and normalise(alias) not in seen:
            seen.add(normalise(alias))
            kept.append(alias)
    return kept


def rename_item(tx: ManagedTransaction, label: str, item: str, name: str) -> str:
    """Rename the item everywhere (items are shared by cases); returns the old name."""
    nodes = {r["id"]: r for r in tx.run(_NAMED[label])}
    node = nodes[item]
    for other in nodes.values():
        if other["id"] != item and normalise(name) in {
            normalise(n) for n in (other["name"], *other["aliases"])
        }:
            raise NameInUse(
                f"another {label.lower()} is already called '{name}' ({other['id']})",
                hint=f"merge into it instead (--merge-into {other['id']})",
            )
    old = node["name"]
    aliases = _names(name, [*node["aliases"], old], [name])
    taught = [old] if normalise(old) != normalise(name) else []
    concept = "concept:taught:" + item_id(label, name).replace(":", "-", 1)
    tx.run(
        _TEACH[label],
        item=item,
        name=name,
        aliases=aliases,
        taught=taught,
        create=bool(taught),
        concept=concept,
        kind=label.lower(),
    )
    return old


def merge_item(tx: ManagedTransaction, label: str, item: str, into: str) -> str:
    """Merge `item` into `into` (same label): claims move, names become aliases; returns its name."""
    nodes = {r["id"]: r for r in tx.run(_NAMED[label])}
    if into == item:
        raise GroupRefused("an item cannot be merged into itself")
    if into not in nodes:
        raise GroupRefused(
            f"no {label.lower()} has the id '{into}'", hint=f"merge into another {label.lower()} by its id"
        )
    merged, survivor = nodes[item], nodes[into]
    names = [merged["name"], *merged["aliases"]]
    aliases = _names(survivor["name"], [*survivor["aliases"], *names], [survivor["name"]])
    taught = _names(survivor["name"], names, [survivor["name"]])
    tx.run(_MERGE_ITEM[label], item=item, into=into)
    tx.run(
        _TEACH[label],
        item=into,
        name=survivor["name"],
        aliases=aliases,
        taught=taught,
        create=False,
        concept=None,
        kind=label.lower(),
    )
    return merged["name"]
