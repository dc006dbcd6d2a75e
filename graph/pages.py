"""Read queries behind the web pages: one parameterised statement per question, grouped by page.

Every function takes a driver and returns plain data (dicts and lists); the web layer turns it
into typed page contexts. Only published cases are returned unless `unpublished=True`, and
claims a reviewer rejected are left out everywhere.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.decisions import case_key
from spreadgraph.graph.quote_links import SECTION_LABEL

# Labels counted on the home page (labels cannot be parameters: built from this fixed tuple).
COUNTED = (
    "Innovation",
    "Case",
    "Context",
    "Barrier",
    "Enabler",
    "Approach",
    "Outcome",
    "Lesson",
    "Source",
    "Excerpt",
    "Claim",
)
_COUNTS = "\nUNION ALL\n".join(
    f"MATCH (n:{label}) RETURN '{label}' AS label, count(n) AS count" for label in COUNTED
)
_PUBLISHED = "MATCH (c:Case) WHERE c.status = 'published' RETURN count(c) AS count"
_RECENT = """
MATCH (c:Case) WHERE c.status = 'published'
OPTIONAL MATCH (c)-[:ABOUT]->(i:Innovation)
RETURN c.id AS id, c.title AS title, c.spread_status AS spread_status, c.period AS period,
       i.id AS innovation_id, i.name AS innovation, toString(c.reviewed_at) AS published_at
ORDER BY c.reviewed_at DESC, c.title
LIMIT $limit
"""

# Evidence of a claim `cl`: an excerpt (with its span and source) or a whole source (template field).
_EVIDENCE = """[(cl)-[:EVIDENCED_BY]->(ev) | CASE WHEN ev:Excerpt THEN
    {kind: 'excerpt', id: ev.id, text: ev.text, start: ev.start, end: ev.end,
     speaker_role: ev.speaker_role, attribution: ev.attribution,
     source_id: head([(ev)-[:FROM]->(s) | s.id]), source_title: head([(ev)-[:FROM]->(s) | s.title])}
  ELSE {kind: 'source', id: ev.id, source_id: ev.id, source_title: ev.title, field: cl.field} END]"""
_CLAIM = "cl {.id, .kind, .status, .method, .asserted_by, .confidence, .field, .note}"
_VISIBLE_CASE = "(c.status = 'published' OR $unpublished)"

_CASE = f"""
MATCH (c:Case {{id: $id}}) WHERE {_VISIBLE_CASE}
RETURN c {{.id, .title, .summary, .period, .spread_status, .status, .revision, .case_kind, .aliases,
          .reviewed_by, .review_by, reviewed_at: toString(c.reviewed_at)}} AS case,
       head([(c)-[:ABOUT]->(i:Innovation) | i {{.id, .name, .type, .description}}]) AS innovation,
       [(c)-[:IN_CONTEXT]->(x:Context) | x {{.setting, .sector, .country, .region, .scale, .organisations,
         .method, .mentions,
         evidence: head([(x)-[:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(src:Source)
                         | {{excerpt: e.id, source: src.id}}])}}]
         AS contexts,
       [(c)-[:HAS_ADOPTION]->(a:Adoption) | a {{
         .id, .site, .status, .started, .ended, .reason, .success, .measure,
         evidence: head([(a)-[:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(src:Source)
                         | {{excerpt: e.id, source: src.id}}])
       }}]
         AS adoptions,
       [(c)-[:HAS_REVISION]->(r:Revision) | r {{.number, .submitted_by, .changes,
          submitted_at: toString(r.submitted_at)}}] AS revisions,
       [(c)-[d:DESCRIBED_IN]->(s:Source) | s {{.id, .title, .kind, .source_type, .year, .version, .url,
          citation: d.citation}}] AS sources
"""
# The other descriptions of the same real case (graph/case_links.py): SAME_AS either way, up to two
# hops (a template and a coded export both linked to one document's case), visible ones only.
_SAME_AS = f"""
MATCH (:Case {{id: $id}})-[:SAME_AS*1..2]-(c:Case)
WHERE c.id <> $id AND {_VISIBLE_CASE}
RETURN DISTINCT c.id AS id, c.title AS title, c.status AS status, c.case_kind AS case_kind,
       [(c)-[:DESCRIBED_IN]->(s:Source) WHERE s.source_type <> 'cited' | s {{.id, .title, .kind}}] AS sources
ORDER BY id
"""
_CASE_CLAIMS = f"""
MATCH (c:Case {{id: $id}})-[:MAKES]->(cl:Claim)-[:SUBJECT]->(sub)
WHERE cl.status <> 'rejected'
OPTIONAL MATCH (cl)-[:OBJECT]->(obj)
RETURN {_CLAIM} AS claim, labels(sub)[0] AS subject_label,
       sub {{.id, .name, .description, .measure, .value, .direction, .evidence_strength, .text}} AS subject,
       labels(obj)[0] AS object_label, obj {{.id, .name, .label}} AS object,
       {_EVIDENCE} AS evidence
ORDER BY cl.id
"""
_CASE_EXCERPTS = f"""
MATCH (:Case {{id: $id}})-[:HAS_EXCERPT]->(e:Excerpt)
OPTIONAL MATCH (e)-[:FROM]->(s:Source)
RETURN e.id AS id, e.text AS text, e.kind AS kind, e.speaker_role AS speaker_role,
       e.attribution AS attribution, {SECTION_LABEL} AS section, e.start AS start, e.end AS end,
       e.paraphrase AS paraphrase, e.consent AS consent, s.id AS source_id, s.title AS source_title
ORDER BY s.id, e.start, e.id
LIMIT $limit
"""

# Labels cannot be parameters: one statement per item label (from this fixed tuple), so the node
# is found through its label's unique id index instead of a scan of every node.
ITEM_LABELS = ("Barrier", "Enabler", "Approach", "Innovation")


def _item_statement(label: str) -> str:
    """The item `$id` of `label` with its codes, if a published case holds it (or `$unpublished`)."""
    return f"""
MATCH (n:{label} {{id: $id}})
WHERE $unpublished
   OR EXISTS {{ MATCH (c:Case)-[:ABOUT]->(n) WHERE c.status = 'published' }}
   OR EXISTS {{ MATCH (c:Case)-[:MAKES]->(cl:Claim)-[:SUBJECT|OBJECT]->(n)
               WHERE c.status = 'published' AND cl.status <> 'rejected' }}
RETURN n {{.id, .name, .type, .description, .aliases}} AS item,
       [(n)-[:CODED_AS]->(k) | k {{.id, .name, .label, kind: labels(k)[0],
          group: head([(k)-[:IN_DOMAIN|IN_CLUSTER]->(g) | g.name]
                      + [(k)-[:PART_OF]->()-[:IN_DOMAIN]->(g) | g.name])}}] AS codes
"""


def _item_claims_statement(label: str) -> str:
    """Claims whose subject is the item (met it / used it / ...), with their case and evidence."""
    return f"""
MATCH (n:{label} {{id: $id}})<-[:SUBJECT]-(cl:Claim)<-[:MAKES]-(c:Case)
WHERE cl.kind IN $kinds AND cl.status <> 'rejected' AND {_VISIBLE_CASE}
RETURN c {{.id, .title, .spread_status}} AS case, {_CLAIM} AS claim, {_EVIDENCE} AS evidence
ORDER BY c.title, cl.id
"""


_ITEM = {label: _item_statement(label) for label in ITEM_LABELS}
_ITEM_CLAIMS = {label: _item_claims_statement(label) for label in ITEM_LABELS}
_LINKS_TO_BARRIER = f"""
MATCH (b:Barrier {{id: $id}})<-[:OBJECT]-(cl:Claim)-[:SUBJECT]->(a:Approach), (c:Case)-[:MAKES]->(cl)
WHERE cl.kind IN $kinds AND cl.status <> 'rejected' AND {_VISIBLE_CASE}
RETURN a {{.id, .name}} AS other, c {{.id, .title}} AS case, {_CLAIM} AS claim, {_EVIDENCE} AS evidence
ORDER BY a.name, c.title
"""
_LINKS_FROM_APPROACH = f"""
MATCH (a:Approach {{id: $id}})<-[:SUBJECT]-(cl:Claim)-[:OBJECT]->(b:Barrier), (c:Case)-[:MAKES]->(cl)
WHERE cl.kind IN $kinds AND cl.status <> 'rejected' AND {_VISIBLE_CASE}
RETURN b {{.id, .name}} AS other, c {{.id, .title}} AS case, {_CLAIM} AS claim, {_EVIDENCE} AS evidence
ORDER BY b.name, c.title
"""
_OUTCOMES_OF_CASES = f"""
MATCH (c:Case)-[:MAKES]->(cl:Claim {{kind: 'reported_outcome'}})-[:SUBJECT]->(o:Outcome)
WHERE c.id IN $cases AND cl.status <> 'rejected' AND {_VISIBLE_CASE}
RETURN c {{.id, .title}} AS case, o {{.measure, .value, .direction, .evidence_strength}} AS outcome,
       {_EVIDENCE} AS evidence
ORDER BY c.title, cl.id
"""
_INNOVATION_CASES = f"""
MATCH (i:Innovation {{id: $id}})<-[:ABOUT]-(c:Case) WHERE {_VISIBLE_CASE}
RETURN c.id AS id, c.title AS title, c.spread_status AS spread_status, c.period AS period,
       [(c)-[:IN_CONTEXT]->(x:Context) | x.setting] AS settings,
       [(c)-[:HAS_ADOPTION]->(a:Adoption) | a {{.site, .status}}] AS adoptions
ORDER BY c.title
"""
_INNOVATION_ITEMS = f"""
MATCH (i:Innovation {{id: $id}})<-[:ABOUT]-(c:Case)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(n)
WHERE cl.kind IN ['met_barrier', 'used_approach', 'had_enabler'] AND cl.status <> 'rejected'
  AND {_VISIBLE_CASE}
RETURN cl.kind AS kind, n.id AS id, n.name AS name, count(DISTINCT c) AS cases
ORDER BY kind, cases DESC, name
"""

_SOURCE = """
MATCH (s:Source {id: $id})
WHERE $unpublished OR s.kind <> 'template'
   OR EXISTS { MATCH (c:Case)-[:DESCRIBED_IN]->(s) WHERE c.status = 'published' }
RETURN s {.id, .kind, .title, .authors, .year, .source_type, .file_name, .format, .version, .text,
          ingested_at: toString(s.ingested_at)} AS source,
       [(s)-[:PREVIOUS_VERSION]->(p) | p {.id, .version}] AS previous,
       [(n)-[:PREVIOUS_VERSION]->(s) | n {.id, .version}] AS next
"""
_SOURCE_CASES = f"""
MATCH (c:Case)-[:DESCRIBED_IN]->(:Source {{id: $id}}) WHERE {_VISIBLE_CASE}
RETURN c.id AS id, c.title AS title ORDER BY c.title
"""
_SOURCE_EXCERPTS = f"""
MATCH (e:Excerpt)-[:FROM]->(s:Source {{id: $id}})
RETURN e.id AS id, e.text AS text, e.kind AS kind, e.start AS start, e.end AS end,
       e.speaker_role AS speaker_role, e.attribution AS attribution, {SECTION_LABEL} AS section,
       [(c:Case)-[:HAS_EXCERPT]->(e) | c.id] AS cases
ORDER BY e.start, e.end DESC, e.id
"""

LINK_KINDS = ["addressed", "partly_addressed", "did_not_address", "caused"]


def _one(query: str, params: dict[str, Any], driver: Driver) -> dict[str, Any] | None:
    rows = read(query, params, driver=driver)
    return rows[0] if rows else None


def home(driver: Driver, *, recent: int = 10) -> dict[str, Any]:
    """Counts by kind, published-case count and the most recently published cases."""
    counts = {row["label"]: row["count"] for row in read(_COUNTS, driver=driver)}
    published = read(_PUBLISHED, driver=driver)[0]["count"]
    return {
        "counts": counts,
        "published": published,
        "recent": read(_RECENT, {"limit": recent}, driver=driver),
    }


def case(driver: Driver, case_id: str, *, unpublished: bool = False, excerpts: int = 500) -> dict | None:
    """One case with its parts, claims (with evidence) and excerpts; None when absent or hidden.

    A case described twice (SAME_AS: a template and the document it cites) shows both descriptions
    together: the other cases' claims, excerpts and sources are added, and `case.same_as` lists them.

    `case_id` may omit the `case:` prefix (the id a contributor wrote in the template).
    """
    case_id = case_key(case_id)
    params = {"id": case_id, "unpublished": unpublished}
    row = _one(_CASE, params, driver)
    if row is None:
        return None
    row["claims"] = read(_CASE_CLAIMS, params, driver=driver)
    row["excerpts"] = read(_CASE_EXCERPTS, {"id": case_id, "limit": excerpts}, driver=driver)
    others = read(_SAME_AS, params, driver=driver)
    row["case"]["same_as"] = others
    for other in others:
        _add_description(row, other, unpublished=unpublished, excerpts=excerpts, driver=driver)
    resolved = {s["citation"] for s in row["sources"] if s.get("citation")}
    row["sources"] = [
        s for s in row["sources"] if not (s["source_type"] == "cited" and s["title"] in resolved)
    ]
    return row


def _add_description(row: dict, other: dict, *, unpublished: bool, excerpts: int, driver: Driver) -> None:
    """Add another description of the same case to the page: its claims, excerpts and sources."""
    params = {"id": other["id"], "unpublished": unpublished}
    data = _one(_CASE, params, driver)
    if data is None:
        return
    row["claims"] += read(_CASE_CLAIMS, params, driver=driver)
    row["excerpts"] += read(_CASE_EXCERPTS, {"id": other["id"], "limit": excerpts}, driver=driver)
    seen = {s["id"] for s in row["sources"]}
    row["sources"] += [s for s in data["sources"] if s["id"] not in seen]
    for key in ("contexts", "adoptions"):
        if not row[key]:
            row[key] = data[key]
    if row["innovation"] is None:
        row["innovation"] = data["innovation"]


def item(driver: Driver, label: str, item_id: str, *, unpublished: bool = False) -> dict[str, Any] | None:
    """A Barrier, Enabler, Approach or Innovation with its confirmed codes; None unless a visible
    case uses it."""
    if label not in _ITEM:
        return None
    return _one(_ITEM[label], {"id": item_id, "unpublished": unpublished}, driver)


def item_claims(
    driver: Driver, label: str, item_id: str, kinds: list[str], *, unpublished: bool = False
) -> list[dict[str, Any]]:
    """Claims of these kinds about the item, each with its case and evidence."""
    params = {"id": item_id, "kinds": kinds, "unpublished": unpublished}
    return read(_ITEM_CLAIMS[label], params, driver=driver)


def barrier_links(driver: Driver, barrier_id: str, *, unpublished: bool = False) -> list[dict[str, Any]]:
    """Approach -> this barrier link claims (addressed, partly, did not, caused) with evidence."""
    params = {"id": barrier_id, "kinds": LINK_KINDS, "unpublished": unpublished}
    return read(_LINKS_TO_BARRIER, params, driver=driver)


def approach_links(driver: Driver, approach_id: str, *, unpublished: bool = False) -> list[dict[str, Any]]:
    """This approach -> barrier link claims with evidence."""
    params = {"id": approach_id, "kinds": LINK_KINDS, "unpublished": unpublished}
    return read(_LINKS_FROM_APPROACH, params, driver=driver)


def outcomes_of(driver: Driver, case_ids: list[str], *, unpublished: bool = False) -> list[dict[str, Any]]:
    """Outcomes reported by these cases, with evidence."""
    params = {"cases": case_ids, "unpublished": unpublished}
    return read(_OUTCOMES_OF_CASES, params, driver=driver)


def innovation_cases(driver: Driver, innovation_id: str, *, unpublished: bool = False) -> list[dict]:
    return read(_INNOVATION_CASES, {"id": innovation_id, "unpublished": unpublished}, driver=driver)


def innovation_items(driver: Driver, innovation_id: str, *, unpublished: bool = False) -> list[dict]:
    """Barriers met, approaches used and enablers had across the innovation's cases, with counts."""
    return read(_INNOVATION_ITEMS, {"id": innovation_id, "unpublished": unpublished}, driver=driver)


def source(driver: Driver, source_id: str, *, unpublished: bool = False) -> dict[str, Any] | None:
    """A source with its text, versions, the cases it describes and every excerpt's span."""
    row = _one(_SOURCE, {"id": source_id, "unpublished": unpublished}, driver)
    if row is None:
        return None
    row["cases"] = read(_SOURCE_CASES, {"id": source_id, "unpublished": unpublished}, driver=driver)
    row["excerpts"] = read(_SOURCE_EXCERPTS, {"id": source_id}, driver=driver)
    return row


# The schema page, from the live database. Counts use the count store: one tiny statement per
# label or type, with the name taken from the database itself and backtick-quoted.
_LABELS = "CALL db.labels() YIELD label RETURN label ORDER BY label"
_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS type ORDER BY type"
_KEYS = "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey AS key ORDER BY key"
_INDEXES = """
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state
RETURN name, type, entityType AS entity_type, labelsOrTypes AS labels_or_types, properties, state
ORDER BY name
"""


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def live_schema(driver: Driver) -> dict[str, Any]:
    """Labels and relationship types with counts, property keys and indexes, as the database has them."""
    labels = [row["label"] for row in read(_LABELS, driver=driver)]
    types = [row["type"] for row in read(_TYPES, driver=driver)]
    label_rows = [
        {
            "name": name,
            "count": read(f"MATCH (n:{_quoted(name)}) RETURN count(n) AS c", driver=driver)[0]["c"],
        }
        for name in labels
    ]
    type_rows = [
        {
            "name": name,
            "count": read(f"MATCH ()-[r:{_quoted(name)}]->() RETURN count(r) AS c", driver=driver)[0]["c"],
        }
        for name in types
    ]
    return {
        "labels": label_rows,
        "relationship_types": type_rows,
        "property_keys": [row["key"] for row in read(_KEYS, driver=driver)],
        "indexes": read(_INDEXES, driver=driver),
    }


# Choices offered by the search form (values as the graph holds them; filters match substrings).
_CHOICES = """
CALL {
  MATCH (c:Case {status: 'published'})-[:IN_CONTEXT]->(x:Context)
  RETURN collect(DISTINCT x.setting) AS settings, collect(DISTINCT x.sector) AS sectors,
         collect(DISTINCT x.country) + collect(DISTINCT x.region) AS places
}
CALL {
  MATCH (c:Case {status: 'published'})-[:ABOUT]->(i:Innovation)
  RETURN collect(DISTINCT i.type) AS innovation_types
}
CALL {
  MATCH (s:Source) WHERE s.source_type IS NOT NULL
  RETURN collect(DISTINCT toLower(s.source_type)) AS source_types
}
CALL {
  MATCH (d:CfirDomain) WITH d ORDER BY d.id
  RETURN collect([d.id, d.number + '. ' + d.name]) AS cfir_domains
}
CALL {
  MATCH (k:EricCluster) WITH k ORDER BY k.number
  RETURN collect([k.id, toString(k.number) + '. ' + k.name]) AS eric_clusters
}
RETURN settings, sectors, places, innovation_types, source_types, cfir_domains, eric_clusters
"""


def search_choices(driver: Driver) -> dict[str, list[Any]]:
    """Distinct settings, sectors, places, innovation and source types of published cases, and the
    CFIR 2.0 domains and ERIC clusters, each sorted."""
    row = read(_CHOICES, driver=driver)[0]
    out: dict[str, list[Any]] = {}
    for key, values in row.items():
        if key in ("cfir_domains", "eric_clusters"):
            out[key] = [pair for pair in values if pair[0] is not None]
        else:
            out[key] = sorted({v for v in values if isinstance(v, str) and v.strip()}, key=str.lower)
    return out
