"""What a document says about its cases beyond their excerpts: the innovation each is about and
the per-site results its tables state (ingest/documents/case_naming.py, site_results.py).

* A case with an innovation gets ``(c)-[:ABOUT]->(:Innovation)``, the Innovation keyed by the
  name's slug (``innovation:doc:<slug>``), so every document naming it shares one node.
* Each site result is an ``Adoption`` (``site``, ``success``, ``measure``) under its case,
  evidenced by the excerpt holding its table row (``EVIDENCED_BY {start, end}``, the row's span
  in ``Source.text``). Its id comes from the case, the site and the measure, so re-ingest
  updates it; a new version of the document drops the results it no longer states.
* Each case gets the care setting its own excerpts name most (at least :data:`CASE_MENTIONS`
  times; else, for an arm, a phase or a whole-document case, the one the whole document names
  most, at least :data:`DOCUMENT_MENTIONS` times; schema/care_settings.py):
  ``(c)-[:IN_CONTEXT]->(:Context {setting, method: 'document', mentions})``, evidenced by the
  excerpt of its first mention (``EVIDENCED_BY {start, end}``).
  A machine's reading, so the case page says it was read from the text.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.schema.care_settings import Mentions, settings_in
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.names import word_key

_INNOVATIONS = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case})
MERGE (i:Innovation {id: row.id})
ON CREATE SET i.name = row.name
MERGE (c)-[:ABOUT]->(i)
"""
_SITES = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case})
MERGE (a:Adoption {id: row.id})
SET a.site = row.site, a.success = row.success, a.measure = row.measure, a.method = 'document'
MERGE (c)-[:HAS_ADOPTION]->(a)
WITH a, row
OPTIONAL MATCH (a)-[old:EVIDENCED_BY]->(x)
WHERE row.excerpt IS NULL OR x.id <> row.excerpt
DELETE old
WITH DISTINCT a, row
OPTIONAL MATCH (e:Excerpt {id: row.excerpt})
FOREACH (_ IN CASE WHEN e IS NULL THEN [] ELSE [1] END |
  MERGE (a)-[r:EVIDENCED_BY]->(e) SET r.start = row.start, r.end = row.end)
"""
_STALE = """
MATCH (c:Case)-[:HAS_ADOPTION|IN_CONTEXT]->(a:Adoption|Context {method: 'document'})
WHERE c.id IN $cases AND NOT a.id IN $keep
DETACH DELETE a
"""
_SETTINGS = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case})
MERGE (x:Context {id: row.id})
SET x.setting = row.setting, x.mentions = row.mentions, x.method = 'document'
MERGE (c)-[:IN_CONTEXT]->(x)
WITH x, row
OPTIONAL MATCH (x)-[old:EVIDENCED_BY]->()
DELETE old
WITH DISTINCT x, row
MATCH (e:Excerpt {id: row.excerpt})
MERGE (x)-[r:EVIDENCED_BY]->(e) SET r.start = row.start, r.end = row.end
"""
#: Mentions of a setting in a case's own excerpts, or in the whole document, that make it the case's.
CASE_MENTIONS = 2
DOCUMENT_MENTIONS = 3
#: Cases that share the document's setting when their own excerpts name none: the arms and phases
#: of one study, and a document that is one case. A programme's projects may each work elsewhere.
SHARES_SETTING = frozenset({"arm", "phase", "document"})


def innovation_rows(doc: ParsedDocument, case_ids: dict[str, str]) -> list[dict[str, Any]]:
    """One row per case that names its innovation."""
    return [
        {"case": case_ids[c.key], "id": f"innovation:doc:{word_key(c.innovation)}", "name": c.innovation}
        for c in doc.cases
        if c.innovation and c.key in case_ids
    ]


def site_rows(
    doc: ParsedDocument, case_ids: dict[str, str], excerpt_spans: list[tuple[str, int, int]]
) -> list[dict[str, Any]]:
    """One row per site result, with the excerpt (id, start, end) whose span holds its row."""
    rows = []
    for case in doc.cases:
        if case.key not in case_ids:
            continue
        for site in case.sites:
            holder = next((i for i, a, b in excerpt_spans if a <= site.start < b), None)
            rows.append(
                {
                    "case": case_ids[case.key],
                    "id": f"{case_ids[case.key]}:site:{word_key(site.site)}:{word_key(site.measure)}",
                    "site": site.site,
                    "success": site.success,
                    "measure": site.measure,
                    "excerpt": holder,
                    "start": site.start,
                    "end": site.end,
                }
            )
    return rows


def setting_rows(
    doc: ParsedDocument, case_ids: dict[str, str], excerpt_ids: dict[int, str]
) -> list[dict[str, Any]]:
    """One row per case whose excerpts (or whole document) name a care setting often enough, with
    the excerpt (id) and span of the first mention. `excerpt_ids`: excerpt start -> id."""
    default = case_ids.get("document") if not doc.cases else None
    by_case: dict[str, list[int]] = {}
    for i, e in enumerate(doc.excerpts):
        case = case_ids.get(e.case_key) if e.case_key else default
        if case:
            by_case.setdefault(case, []).append(i)
    texts = [e.text for e in doc.excerpts]
    whole = next(iter(settings_in(texts)), None)
    kinds = {c.key: c.kind for c in doc.cases}
    rows = []
    for key, case in case_ids.items():
        own = by_case.get(case, [])
        best = next(iter(settings_in([texts[i] for i in own])), None)
        chosen: tuple[Mentions, int] | None = None
        if best and best.count >= CASE_MENTIONS:
            chosen = best, own[best.text]
        elif kinds.get(key, "document") in SHARES_SETTING and whole and whole.count >= DOCUMENT_MENTIONS:
            chosen = whole, whole.text
        if chosen is None:
            continue
        found, index = chosen
        excerpt = doc.excerpts[index]
        rows.append(
            {
                "case": case,
                "id": f"{case}:setting:{word_key(found.setting)}",
                "setting": found.setting,
                "mentions": found.count,
                "excerpt": excerpt_ids.get(excerpt.start),
                "start": excerpt.start + found.start,
                "end": excerpt.start + found.end,
            }
        )
    return rows


def write_case_facts(
    tx: ManagedTransaction,
    doc: ParsedDocument,
    case_ids: dict[str, str],
    excerpt_spans: list[tuple[str, int, int]],
) -> int:
    """Write the cases' innovations, site results and settings; returns the number of site results."""
    tx.run(_INNOVATIONS, rows=innovation_rows(doc, case_ids))
    sites = site_rows(doc, case_ids, excerpt_spans)
    tx.run(_SITES, rows=sites)
    settings = setting_rows(doc, case_ids, {start: i for i, start, _ in excerpt_spans})
    tx.run(_SETTINGS, rows=settings)
    tx.run(_STALE, cases=list(case_ids.values()), keep=[r["id"] for r in sites + settings])
    return len(sites)
