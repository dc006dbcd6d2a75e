"""Retrieval Cypher: vector and full-text candidates with the filters applied in the same query.

Strategy (why filters are inside the query and how many candidates are fetched):

* **Over-fetch, then filter, in one statement** (default). The index call asks for
  `$candidates` nodes – far more than the `$depth` a ranking needs – and the `WHERE` that follows
  drops what the filters exclude before `ORDER BY ... LIMIT $depth`. The candidate count comes
  from the filters' selectivity (search/retrieval.py): roughly `depth / share of units that pass`
  times a safety factor, so a filter that keeps 5% of the graph fetches ~20x more.
* **Filter first, exact scoring** when the filters are selective enough that the passing pool
  is small (at most `EXACT_POOL` units): the pool is matched by the filters and every unit in it
  is scored exactly (`vector.similarity.cosine`; for full text, Lucene scores all matches and
  the pool is joined), so nothing the filters allow can be lost to an index cut-off.

Excerpt units are `Sentence` nodes (search/units.py). Vector: each hit sentence lends its
cosine to its own window and to its neighbours' windows (`NEXT`), so a window scores the best
sentence in it; the window centred on the hit wins ties. Full text: Lucene over `window`.
Labels cannot be parameters; the few label-specific statements are built from fixed names.

Vector indexes are queried in the form the server prefers (`VectorForm`, read once per driver):
the `db.index.vector.queryNodes` procedure up to Neo4j 2026.03, the Cypher 25 `SEARCH` clause
from 2026.04, which deprecates the procedure. Both take the `$candidates` nearest nodes before
the filters that follow and give the same score (cosine scaled to [0, 1], as
`vector.similarity.cosine`), so results are equal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from spreadgraph.graph.connection import server_version
from spreadgraph.graph.quote_links import SECTION_LABEL

if TYPE_CHECKING:
    from neo4j import Driver
    from spreadgraph.search.filters import SearchFilters

#: How a statement queries a vector index: the procedure, or the Cypher 25 SEARCH clause.
VectorForm = Literal["procedure", "search"]
#: The first Neo4j release queried with the SEARCH clause (it deprecates the procedure).
SEARCH_CLAUSE_SINCE = (2026, 4)


def vector_form(driver: Driver | None = None) -> VectorForm:
    """The form `driver`'s server prefers (the process-wide driver's when None)."""
    return "search" if server_version(driver) >= SEARCH_CLAUSE_SINCE else "procedure"


def cypher_prefix(form: VectorForm) -> str:
    """What a statement starts with: `CYPHER 25` for the SEARCH clause (newer Neo4j databases
    still default to Cypher 5, where SEARCH does not exist)."""
    return "CYPHER 25\n" if form == "search" else ""


def vector_nodes(index: str, label: str, node: str, score: str, form: VectorForm) -> str:
    """Bind `node` and its `score` to the `$candidates` nodes of `label` in vector index `index`
    closest to `$vector` (a statement using it starts with `cypher_prefix(form)`)."""
    if form == "search":
        return (
            f"MATCH ({node}:{label})\n"
            f"SEARCH {node} IN (VECTOR INDEX {index} FOR $vector LIMIT $candidates) SCORE AS {score}"
        )
    named = "score" if score == "score" else f"score AS {score}"
    return f"CALL db.index.vector.queryNodes('{index}', $candidates, $vector) YIELD node AS {node}, {named}"


#: Neo4j keys cached plans by each list parameter's size rounded up to a power of ten, so a search
#: whose evidence list held 7 ids where the last one held 20 was planned again (0.3-1 s at 100,000
#: excerpts). `plan_stable` pads lists of ids with empty strings (never an id: every statement
#: matches ids with MATCH or IN) to at least this many, so lists of up to 100 ids share one plan.
MIN_ID_LIST = 11


def padded(ids: list[str], at_least: int) -> list[str]:
    """`ids` followed by empty strings up to `at_least` items."""
    return ids + [""] * (at_least - len(ids))


def plan_stable(statement: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters `statement` uses, each short list of strings padded to :data:`MIN_ID_LIST`.

    Unused ones are dropped: the driver packs parameters in Python, ~2 ms for a list of 1,300 ids
    while holding the GIL, and a filtered search's scope lists (retrieval.Scope) go to only the
    statements that check them."""
    return {
        name: padded(value, MIN_ID_LIST)
        if isinstance(value, list) and len(value) < MIN_ID_LIST and all(isinstance(x, str) for x in value)
        else value
        for name, value in params.items()
        if re.search(rf"\${name}\b", statement)
    }


# The ranking lists carry only what fusion needs: the window's id and score, and its source,
# template field and span (overlapping windows of one source merge, search/passages.py). The
# rest of a result is read by UNIT_DETAILS for the fused top only: at 100,000 excerpts the full
# columns of two 50-row lists cost ~20 ms of driver decoding per search (docs/benchmarks.md).


def unit_return(predicate: str) -> str:
    """The tail of every excerpt-unit statement: the filter `predicate`, then the best `$depth`."""
    return f"""
MATCH (u)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
WHERE {predicate}
WITH u, e, s, score
ORDER BY score DESC
LIMIT $depth
RETURN u.id AS id, score, s.id AS source_id, e.field AS field,
       CASE WHEN e.start IS NOT NULL THEN u.window_start END AS start,
       CASE WHEN e.start IS NOT NULL THEN u.window_end END AS end
ORDER BY score DESC, id
"""


#: Everything a result shows about the windows `$ids`: text, excerpt, case (a published one
#: first) and source; for a coded quote linked to the report it quotes (graph/quote_links.py),
#: that report with the window's span in it. A coded quote's section reads as the title of the
#: document it names (`SECTION_LABEL`).
UNIT_DETAILS = f"""
UNWIND $ids AS id
MATCH (u:Sentence {{id: id}})-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
OPTIONAL MATCH (c:Case)-[:HAS_EXCERPT]->(e)
WITH u, e, s, c ORDER BY CASE c.status WHEN 'published' THEN 0 ELSE 1 END
WITH u, e, s, collect(c)[0] AS c
OPTIONAL MATCH (e)-[q:QUOTES]->(qs:Source)
RETURN u.id AS id, u.window AS text, u.window_start AS start, u.window_end AS end,
       e.id AS excerpt_id, e.kind AS excerpt_kind, e.speaker_role AS speaker_role,
       {SECTION_LABEL} AS section,
       e.field AS field, e.start IS NOT NULL AS spanned,
       c.id AS case_id, c.title AS case_title, c.status AS case_status,
       s.id AS source_id, s.title AS source_title, s.file_name AS file_name, s.kind AS source_kind,
       s.source_type AS source_type, s.year AS year,
       CASE WHEN q IS NULL THEN null ELSE {{
         id: qs.id, title: qs.title, file_name: qs.file_name, kind: qs.kind, source_type: qs.source_type,
         year: qs.year, shift: q.start - e.start, quote_start: q.start, quote_end: q.end,
         excerpt_id: [(de:Excerpt)-[:FROM]->(qs) WHERE de.start <= q.start < de.end | de.id][0]
       }} END AS quoted
"""

#: Each hit sentence lends its cosine to its own window and its neighbours' (`NEXT`); the window
#: centred on the hit wins ties.
_LEND_TO_WINDOWS = """
UNWIND [x IN [hit] + [(hit)-[:NEXT]-(n:Sentence) | n] | [x, CASE WHEN x = hit THEN 0.0 ELSE 1e-4 END]] AS pair
WITH pair[0] AS u, max(score - pair[1]) AS score
"""


def unit_vector_index(predicate: str, form: VectorForm = "procedure") -> str:
    """Vector candidates from the index, filtered, cut to `$rescore` and re-scored exactly.

    The index's scores come from quantised vectors (the migration enables quantisation). The hits
    that pass the filters are cut to the best `$rescore` by that score and re-scored exactly, so
    the windows are ranked by their true cosine while only ~100 stored vectors are read per search
    (measured at 200,000 sentences: recall@10 0.99 at k = 400 re-scoring 100, the same as
    re-scoring all 400; bench/search_latency.py)."""
    return f"""
{vector_nodes("sentence_embedding", "Sentence", "hit", "approx", form)}
MATCH (hit)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
WHERE {predicate}
WITH hit, approx ORDER BY approx DESC LIMIT $rescore
WITH hit, vector.similarity.cosine(hit.embedding, $vector) AS score{_LEND_TO_WINDOWS}"""


def pool_from(filters: SearchFilters) -> str:
    """MATCH clauses binding `hit` to every unit that passes the filters (pieces from SearchFilters).

    Exact scoring of a filtered pool is matched from the side the filters select on: the passing
    cases (`$case_ids`) when a case filter is set, else the passing sources; never by scanning
    every unit."""
    if filters.has_case_filter:
        return f"""
UNWIND $case_ids AS case_id
MATCH (c:Case {{id: case_id}})-[:HAS_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
WHERE {filters.source_where()}
MATCH (hit:Sentence)-[:IN_EXCERPT]->(e)
"""
    return f"""
MATCH (s:Source) WHERE {filters.source_where()}
MATCH (hit:Sentence)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s)
WHERE {filters.visible_where()}
"""


#: Only the best `$candidates` sentences of a pool go on to lend their score to their windows: the
#: top `depth` windows need no more than the top `depth` sentences (each heads its own window).
UNIT_VECTOR_EXACT = f"""
WITH DISTINCT hit WHERE hit.embedding IS NOT NULL
WITH hit, vector.similarity.cosine(hit.embedding, $vector) AS score
ORDER BY score DESC LIMIT $candidates{_LEND_TO_WINDOWS}"""


def unit_passage_vector(predicate: str, form: VectorForm = "procedure") -> str:
    """Passage-level vector candidates: excerpts ranked by their own embedding (the meaning of the
    whole paragraph or quote, which a question in other words often matches better than any one
    sentence), each shown as its window closest to the query."""
    return f"""{cypher_prefix(form)}
{vector_nodes("excerpt_embedding", "Excerpt", "e", "score", form)}
MATCH (e)-[:FROM]->(s:Source)
WHERE {predicate}
WITH e, s, score ORDER BY score DESC LIMIT $depth
CALL (e) {{
  MATCH (w:Sentence)-[:IN_EXCERPT]->(e) WHERE w.embedding IS NOT NULL
  RETURN w AS u ORDER BY vector.similarity.cosine(w.embedding, $vector) DESC, w.id LIMIT 1
}}
RETURN u.id AS id, score, s.id AS source_id, e.field AS field,
       CASE WHEN e.start IS NOT NULL THEN u.window_start END AS start,
       CASE WHEN e.start IS NOT NULL THEN u.window_end END AS end
ORDER BY score DESC, id
"""


#: The text of one window (the full-text list's best, for search/lexical.py).
UNIT_TEXT = "MATCH (u:Sentence {id: $id}) RETURN u.window AS text"

UNIT_FULLTEXT = """
CALL db.index.fulltext.queryNodes('sentence_fulltext', $lucene, {limit: $candidates}) YIELD node AS u, score
WITH u, score
"""


def unit_query(
    kind: str, predicate: str, filters: SearchFilters | None = None, form: VectorForm = "procedure"
) -> str:
    """The excerpt-unit statement for `kind` (vector | vector_exact | fulltext | passage) under
    `predicate`, querying vector indexes in `form`.

    `predicate` is built by SearchFilters from fixed fragments (values are parameters); exact
    scoring also needs the filters, to match the pool from passing cases or sources.
    """
    if kind == "vector_exact":
        if filters is None:
            raise ValueError("exact scoring needs the filters")
        head = pool_from(filters) + UNIT_VECTOR_EXACT
    elif kind == "passage":
        return unit_passage_vector(predicate, form)
    elif kind == "vector":
        head = cypher_prefix(form) + unit_vector_index(predicate, form)
    elif kind == "fulltext":
        head = UNIT_FULLTEXT
    else:
        raise ValueError(f"unknown unit retriever {kind!r}")
    return head + unit_return(predicate)


# Case, barrier and approach nodes, in two steps. Ranking: the node's own index, kept when a case
# that passes the filters holds it (EXISTS stops at the first such case). Evidence, only for the
# nodes that make the fused top `limit`: a sentence window of the case's excerpts, or of the
# excerpts evidencing a live claim about the item in a passing case. Windows the search itself
# retrieved (`$units`) come first; otherwise the closest to the query. For items, only the
# `$claims` best claims are read (those with a retrieved window, then confirmed, then most
# confident): a barrier can carry thousands of claims at scale, and scoring every window behind
# them cost ~100 ms per search at 100,000 excerpts (docs/benchmarks.md).
_NODE_LABEL = {"case": "Case", "barrier": "Barrier", "approach": "Approach"}
#: The claim relationships by which a case holds an item of each kind.
_ITEM_ROLE = {"barrier": "SUBJECT|OBJECT", "approach": "SUBJECT"}


def node_head(kind: str, retriever: str, form: VectorForm = "procedure") -> str:
    """The index call yielding candidate nodes `n` of `kind` with their `score`."""
    label = _NODE_LABEL[kind]
    index = label.lower()
    if retriever == "vector":
        return vector_nodes(f"{index}_embedding", label, "n", "score", form)
    if retriever == "fulltext":
        return (
            f"CALL db.index.fulltext.queryNodes('{index}_fulltext', $lucene, {{limit: $candidates}}) "
            "YIELD node AS n, score"
        )
    raise ValueError(f"unknown node retriever {retriever!r}")


def holding_cases(kind: str, case_predicate: str) -> str:
    """A pattern binding the cases `c` (passing `case_predicate`) that hold item `n` by a live claim `cl`."""
    return (
        f"(c:Case)-[:MAKES]->(cl:Claim)-[:{_ITEM_ROLE[kind]}]->(n) "
        f"WHERE cl.status <> 'rejected' AND {case_predicate}"
    )


def node_rank(kind: str, case_predicate: str, listed: bool, tag: str | None = None) -> str:
    """Keep the candidates a passing case holds, best `$depth` first.

    `listed`: check the scope's id lists (`Scope.params`: with a filter set, the items held by
    the passing cases are known up front, search/facets.py) instead of walking each candidate's
    claims to a passing case: at 100,000 excerpts a barrier has ~900 claims, and a selective
    filter made the EXISTS read them all for every barrier outside it (docs/benchmarks.md).
    `tag` names the list in a multi-list statement (`node_lists_query`)."""
    carry = "n, score"
    if listed:
        keep = f"n.id IN ${kind}_ids"
    elif kind == "case":  # the node is the case: its predicate applies to it directly
        carry, keep = "n, score, n AS c", case_predicate
    else:
        keep = f"EXISTS {{ MATCH {holding_cases(kind, case_predicate)} }}"
    label = f"'{tag}' AS list, " if tag else ""
    return f"""
WITH {carry} WHERE {keep}
RETURN {label}n.id AS id, score
ORDER BY score DESC, id
LIMIT $depth
"""


def node_query(
    kind: str, retriever: str, case_predicate: str, listed: bool = False, form: VectorForm = "procedure"
) -> str:
    """Ranking statement for a node kind (case | barrier | approach) and retriever (vector | fulltext).

    `listed`: check the scope's id lists (`Scope.params`) instead of `case_predicate`."""
    prefix = cypher_prefix(form) if retriever == "vector" else ""
    return prefix + node_head(kind, retriever, form) + node_rank(kind, case_predicate, listed)


def node_lists_query(
    lists: list[tuple[str, str]], case_predicate: str, listed: bool = False, form: VectorForm = "procedure"
) -> str:
    """One statement for several (kind, retriever) node rankings: a row per `list` ("kind:retriever")
    with its `ids` and `scores` (in no set order: the caller sorts). One transaction instead of one
    per list, and six rows instead of ~300 to decode."""
    branches = [
        node_head(kind, retriever, form) + node_rank(kind, case_predicate, listed, tag=f"{kind}:{retriever}")
        for kind, retriever in lists
    ]
    vector = any(retriever == "vector" for _, retriever in lists)
    return (
        (cypher_prefix(form) if vector else "")
        + "CALL () {\n"
        + "\nUNION ALL\n".join(b.strip() for b in branches)
        + "\n}\nRETURN list, collect(id) AS ids, collect(score) AS scores"
    )


# The claims evidenced by a window the search retrieved, found from those windows (an index seek
# per id, then a few hops) once per statement: asking each claim about an item whether one of its
# windows was retrieved read every claim's excerpts and sentences (~20,000 db hits per barrier at
# 100,000 excerpts, docs/benchmarks.md).
_RETRIEVED_CLAIMS = """
CALL () {
  OPTIONAL MATCH (x:Sentence)-[:IN_EXCERPT]->(:Excerpt)<-[:EVIDENCED_BY]-(hit:Claim) WHERE x.id IN $units
  RETURN collect(DISTINCT hit.id) AS retrieved
}"""
_CASE_EVIDENCE = """
  WITH n AS c
  OPTIONAL MATCH (c)-[:HAS_EXCERPT]->(e:Excerpt)<-[:IN_EXCERPT]-(u:Sentence)"""


def _item_evidence(kind: str, case_predicate: str) -> str:
    """The `$claims` best live claims about item `n` in passing cases, and their windows `u`."""
    return f"""
  MATCH {holding_cases(kind, case_predicate)}
  WITH c, cl ORDER BY cl.id IN retrieved DESC, cl.status = 'confirmed' DESC, cl.confidence DESC, cl.id
  LIMIT $claims
  OPTIONAL MATCH (cl)-[:EVIDENCED_BY]->(e:Excerpt)<-[:IN_EXCERPT]-(u:Sentence)"""


#: What a node result shows: the node and its best window, excerpt, case and source.
_NODE_RETURN = f"""
RETURN n.id AS id, coalesce(n.name, n.title) AS name, coalesce(n.description, n.summary) AS description,
       u.window AS text, u.window_start AS start, u.window_end AS end,
       e.id AS excerpt_id, e.kind AS excerpt_kind, e.speaker_role AS speaker_role,
       {SECTION_LABEL} AS section,
       e.field AS field, e.start IS NOT NULL AS spanned,
       best_case.id AS case_id, best_case.title AS case_title, best_case.status AS case_status,
       s.id AS source_id, s.title AS source_title, s.file_name AS file_name, s.kind AS source_kind,
       s.source_type AS source_type, s.year AS year
"""


def node_evidence_query(kind: str, case_predicate: str) -> str:
    """Best evidence (sentence window, case, source) of the given nodes of one kind (`$ids`).

    A retrieved window ranks 2 (above any cosine) and is never scored: CASE evaluates lazily."""
    if kind == "case":
        retrieved, scope, evidence = "", "n", _CASE_EVIDENCE
    else:
        retrieved, scope, evidence = _RETRIEVED_CLAIMS, "n, retrieved", _item_evidence(kind, case_predicate)
    return f"""{retrieved}
UNWIND $ids AS id
MATCH (n:{_NODE_LABEL[kind]} {{id: id}})
CALL ({scope}) {{{evidence}
  WITH c, e, u, CASE WHEN u.id IN $units THEN 2.0
                     ELSE coalesce(vector.similarity.cosine(u.embedding, $vector), -1.0) END AS closeness
  ORDER BY closeness DESC, u.id LIMIT 1
  OPTIONAL MATCH (e)-[:FROM]->(s:Source)
  RETURN c AS best_case, u, e, s
}}{_NODE_RETURN}"""
