"""Cypher for the "what worked" answer (search/what_worked.py). All parameterised; the statements
that depend on the filters are small builders taking the case predicate SearchFilters builds
from fixed fragments."""

from __future__ import annotations

from spreadgraph.search.statements import VectorForm, cypher_prefix, vector_nodes

LIVE = "cl.status <> 'rejected'"
USED = "['used_approach', 'addressed', 'partly_addressed']"


def case_vector(case_predicate: str, form: VectorForm = "procedure") -> str:
    """Passing cases closest to the description, by the case index."""
    return f"""{cypher_prefix(form)}
{vector_nodes("case_embedding", "Case", "c", "score", form)}
WITH c, score WHERE {case_predicate}
RETURN c.id AS id, score
ORDER BY score DESC LIMIT $depth
"""


def case_by_barrier(case_predicate: str, form: VectorForm = "procedure") -> str:
    """Passing cases that met barriers close to the description (it often names the problem)."""
    return f"""{cypher_prefix(form)}
{vector_nodes("barrier_embedding", "Barrier", "b", "score", form)}
WITH b, score WHERE score >= $min_score
MATCH (c:Case)-[:MAKES]->(cl:Claim {{kind: 'met_barrier'}})-[:SUBJECT]->(b)
WHERE cl.status <> 'rejected' AND {case_predicate}
RETURN c.id AS id, max(score) AS score
ORDER BY score DESC LIMIT $depth
"""


def case_groups(case_predicate: str) -> str:
    """Each case of `$ids` with the passing cases that describe the same real case (SAME_AS, up to
    two hops: a template and a coded export both linked to one document case), each with its
    `rank`: 0 a contributor's template case, 1 a document's case, 2 a coded export's case."""
    return f"""
UNWIND $ids AS id
MATCH (x:Case {{id: id}})
OPTIONAL MATCH (x)-[:SAME_AS*1..2]-(c:Case)
WHERE c <> x AND {case_predicate}
WITH id, x, collect(DISTINCT c) AS others
RETURN id, [m IN [x] + others | {{id: m.id, rank: CASE
  WHEN EXISTS {{ (m)-[:HAS_REVISION]->() }} THEN 0
  WHEN EXISTS {{ (m)-[:DESCRIBED_IN]->(:Source {{kind: 'coded_export'}}) }} THEN 2 ELSE 1 END}}] AS members
"""


CASE_PROFILE = """
UNWIND $ids AS id
MATCH (c:Case {id: id})
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:ABOUT]->(i:Innovation)
  OPTIONAL MATCH (c)-[:IN_CONTEXT]->(x:Context)
  RETURN head(collect(DISTINCT i {.name, .type})) AS innovation,
         collect(DISTINCT x {.setting, .sector, .country, .region}) AS contexts
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:MAKES]->(cl:Claim {kind: 'reported_outcome'})-[:SUBJECT]->(o:Outcome)
  WHERE cl.status <> 'rejected'
  RETURN collect(o.direction) AS directions
}
CALL {
  WITH c
  OPTIONAL MATCH (c)-[:MAKES]->(cl:Claim {kind: 'met_barrier'})-[:SUBJECT]->(b:Barrier)
  WHERE cl.status <> 'rejected'
  WITH b, cl ORDER BY cl.status
  RETURN collect(DISTINCT CASE WHEN b IS NULL THEN null ELSE {
    id: b.id, name: b.name, status: cl.status,
    similarity: CASE WHEN b.embedding IS NULL THEN 0.0 ELSE vector.similarity.cosine(b.embedding, $vector) END
  } END) AS barriers
}
OPTIONAL MATCH (c)-[:DESCRIBED_IN]->(s:Source)
RETURN c.id AS id, c.title AS title, c.summary AS summary, c.spread_status AS spread_status,
       c.case_kind AS case_kind, innovation, contexts, directions, barriers,
       collect(DISTINCT s {.id, .title, .file_name, .kind}) AS sources
"""

APPROACHES = f"""
UNWIND $ids AS id
MATCH (c:Case {{id: id}})-[:MAKES]->(cl:Claim)-[:SUBJECT]->(a:Approach)
WHERE cl.kind IN {USED} AND {LIVE}
OPTIONAL MATCH (cl)-[:OBJECT]->(b:Barrier)
OPTIONAL MATCH (cl)-[ev:EVIDENCED_BY]->(e:Excerpt)
OPTIONAL MATCH (a)-[:CODED_AS]->(st:EricStrategy)
RETURN c.id AS case_id, a.id AS id, a.name AS name, a.description AS description, cl.kind AS kind,
       cl.status AS status, b.id AS barrier_id, b.name AS barrier, e.id AS excerpt_id,
       ev.start AS ev_start, ev.end AS ev_end, collect(DISTINCT st.name) AS eric
"""


def addressed_elsewhere(case_predicate: str) -> str:
    """Per barrier: the approaches that addressed it in passing cases, most confirmed claims first
    (then most cases), at most $approaches of them, each with $per_approach example cases."""
    return f"""
UNWIND $barriers AS bid
MATCH (b:Barrier {{id: bid}})<-[:OBJECT]-(cl:Claim)-[:SUBJECT]->(a:Approach)
WHERE cl.kind IN ['addressed', 'partly_addressed'] AND cl.status <> 'rejected'
MATCH (c:Case)-[:MAKES]->(cl)
WHERE {case_predicate}
WITH bid, a, cl, c ORDER BY cl.status, c.title
WITH bid, a, collect({{kind: cl.kind, status: cl.status, case_id: c.id, case_title: c.title}}) AS claims
WITH bid, a, claims, size([x IN claims WHERE x.status = 'confirmed']) AS confirmed
ORDER BY confirmed DESC, size(claims) DESC, a.name
WITH bid, collect({{id: a.id, name: a.name, claims: claims}})[..$approaches] AS top
UNWIND top AS t
UNWIND t.claims[..$per_approach] AS x
RETURN bid AS barrier_id, t.id AS id, t.name AS name, x.kind AS kind, x.status AS status,
       x.case_id AS case_id, x.case_title AS case_title, size(t.claims) AS cases
"""


# Expert opinion: CFIR 2009 constructs mapped to the barrier's CFIR 2.0 code, and the ERIC
# strategies the CFIR-ERIC matching experts endorsed for them. The codes are matched from the
# barrier's side: from the construct's side the planner walked every coded claim in the graph
# (300 ms at 100,000 excerpts).
EXPERT = """
UNWIND $barriers AS bid
MATCH (b:Barrier {id: bid})
CALL (b) {
  MATCH (b)-[:CODED_AS]->(k:CfirConstruct)
  RETURN k
  UNION
  MATCH (b)<-[:SUBJECT]-(cl:Claim {kind: 'coded_as'})-[:OBJECT]->(k:CfirConstruct)
  WHERE cl.status <> 'rejected'
  RETURN k
}
MATCH (old:Cfir2009Construct)-[:MAPS_TO]->(k)
MATCH (old)-[m:EXPERT_MATCH]->(st:EricStrategy)
RETURN bid AS barrier_id, k.name AS cfir_construct, old.name AS cfir_2009_construct,
       st.id AS strategy_id, st.name AS strategy, m.percent AS percent, m.level AS level
ORDER BY m.percent DESC
"""

EXCERPTS = """
UNWIND $ids AS id
MATCH (e:Excerpt {id: id})-[:FROM]->(s:Source)
RETURN e.id AS id, e.text AS text, e.start AS start, e.end AS end, e.field AS field,
       e.speaker_role AS speaker_role, s.id AS source_id, s.title AS source_title,
       s.file_name AS file_name, s.kind AS source_kind
"""
