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
"""

from __future__ import annotations

NODE_INDEX = {"case": "case", "barrier": "barrier", "approach": "approach"}

UNIT_RETURN = """
MATCH (u)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
WHERE {predicate}
WITH u, e, s, score
ORDER BY score DESC
LIMIT $depth
OPTIONAL MATCH (c:Case)-[:HAS_EXCERPT]->(e)
WITH u, e, s, score, c ORDER BY CASE c.status WHEN 'published' THEN 0 ELSE 1 END
WITH u, e, s, score, collect(c)[0] AS c
RETURN u.id AS id, score, u.window AS text, u.window_start AS start, u.window_end AS end,
       e.id AS excerpt_id, e.kind AS excerpt_kind, e.section AS section, e.speaker_role AS speaker_role,
       e.field AS field, e.start IS NOT NULL AS spanned,
       c.id AS case_id, c.title AS case_title, c.status AS case_status,
       s.id AS source_id, s.title AS source_title, s.file_name AS file_name, s.kind AS source_kind,
       s.source_type AS source_type, s.year AS year
ORDER BY score DESC, id
"""

UNIT_VECTOR_INDEX = """
CALL db.index.vector.queryNodes('sentence_embedding', $candidates, $vector) YIELD node AS hit, score
UNWIND [x IN [hit] + [(hit)-[:NEXT]-(n:Sentence) | n] | [x, CASE WHEN x = hit THEN 0.0 ELSE 1e-4 END]] AS pair
WITH pair[0] AS u, max(score - pair[1]) AS score
"""

UNIT_VECTOR_EXACT = """
MATCH (hit:Sentence)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
WHERE hit.embedding IS NOT NULL AND {predicate}
WITH hit, vector.similarity.cosine(hit.embedding, $vector) AS score
ORDER BY score DESC LIMIT $candidates
UNWIND [x IN [hit] + [(hit)-[:NEXT]-(n:Sentence) | n] | [x, CASE WHEN x = hit THEN 0.0 ELSE 1e-4 END]] AS pair
WITH pair[0] AS u, max(score - pair[1]) AS score
"""

UNIT_FULLTEXT = """
CALL db.index.fulltext.queryNodes('sentence_fulltext', $lucene, {limit: $candidates}) YIELD node AS u, score
WITH u, score
"""

UNIT_POOL = """
MATCH (u:Sentence)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(s:Source)
WHERE {predicate}
WITH u LIMIT $cap
RETURN count(u) AS pool
"""

UNIT_TOTAL = "MATCH (u:Sentence) RETURN count(u) AS total"


def unit_query(kind: str, predicate: str) -> str:
    """The excerpt-unit statement for `kind` (vector | vector_exact | fulltext) under `predicate`.

    `predicate` is built by SearchFilters from fixed fragments (values are parameters).
    """
    head = {"vector": UNIT_VECTOR_INDEX, "vector_exact": UNIT_VECTOR_EXACT, "fulltext": UNIT_FULLTEXT}[kind]
    return head.replace("{predicate}", predicate) + UNIT_RETURN.replace("{predicate}", predicate)


def pool_query(predicate: str) -> str:
    return UNIT_POOL.replace("{predicate}", predicate)


# Case, barrier and approach nodes: the node's own index, filters on its case(s), and its best
# evidence: the visible excerpt unit (of the case, or evidencing a claim about the item) whose
# sentence is closest to the query.
_NODE_HEAD = {
    "vector": "CALL db.index.vector.queryNodes('{index}_embedding', $candidates, $vector) "
    "YIELD node AS n, score",
    "fulltext": "CALL db.index.fulltext.queryNodes('{index}_fulltext', $lucene, {{limit: $candidates}}) "
    "YIELD node AS n, score",
}
_NODE_CASES = {
    "case": "MATCH (c:Case) WHERE c = n AND {case_predicate}",
    "barrier": "MATCH (c:Case)-[:MAKES]->(cl:Claim)-[:SUBJECT|OBJECT]->(n) "
    "WHERE cl.status <> 'rejected' AND {case_predicate}",
    "approach": "MATCH (c:Case)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(n) "
    "WHERE cl.status <> 'rejected' AND {case_predicate}",
}
_NODE_EVIDENCE = {
    "case": "OPTIONAL MATCH (c)-[:HAS_EXCERPT]->(e:Excerpt)<-[:IN_EXCERPT]-(u:Sentence)",
    "item": "OPTIONAL MATCH (c)-[:MAKES]->(k:Claim)-[:SUBJECT|OBJECT]->(n), "
    "(k)-[:EVIDENCED_BY]->(e:Excerpt)<-[:IN_EXCERPT]-(u:Sentence)",
}
_NODE_TAIL = """
WITH n, score, collect(DISTINCT c) AS cases
ORDER BY score DESC LIMIT $depth
CALL {
  WITH n, cases
  UNWIND cases AS c
  {evidence}
  WITH c, e, u ORDER BY coalesce(vector.similarity.cosine(u.embedding, $vector), -1.0) DESC LIMIT 1
  OPTIONAL MATCH (e)-[:FROM]->(s:Source)
  RETURN c AS best_case, u, e, s
}
RETURN n.id AS id, score, coalesce(n.name, n.title) AS name,
       coalesce(n.description, n.summary) AS description,
       u.window AS text, u.window_start AS start, u.window_end AS end,
       e.id AS excerpt_id, e.kind AS excerpt_kind, e.section AS section, e.speaker_role AS speaker_role,
       e.field AS field, e.start IS NOT NULL AS spanned,
       best_case.id AS case_id, best_case.title AS case_title,
       best_case.status AS case_status, size(cases) AS n_cases,
       s.id AS source_id, s.title AS source_title, s.file_name AS file_name, s.kind AS source_kind,
       s.source_type AS source_type, s.year AS year
ORDER BY score DESC, id
"""


def node_query(kind: str, retriever: str, case_predicate: str) -> str:
    """Statement for a node kind (case | barrier | approach) and retriever (vector | fulltext)."""
    head = _NODE_HEAD[retriever].format(index=NODE_INDEX[kind])
    cases = _NODE_CASES[kind].replace("{case_predicate}", case_predicate)
    evidence = _NODE_EVIDENCE["case" if kind == "case" else "item"]
    return f"{head}\n{cases}\n" + _NODE_TAIL.replace("{evidence}", evidence)
