"""What a document says about its cases beyond their excerpts: the innovation each is about and
the per-site results its tables state (ingest/documents/case_naming.py, site_results.py).

* A case with an innovation gets ``(c)-[:ABOUT]->(:Innovation)``, the Innovation keyed by the
  name's slug (``innovation:doc:<slug>``), so every document naming it shares one node.
* Each site result is an ``Adoption`` (``site``, ``success``, ``measure``) under its case,
  evidenced by the excerpt holding its table row (``EVIDENCED_BY {start, end}``, the row's span
  in ``Source.text``). Its id comes from the case, the site and the measure, so re-ingest
  updates it; a new version of the document drops the results it no longer states.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction
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
MATCH (c:Case)-[:HAS_ADOPTION]->(a:Adoption {method: 'document'})
WHERE c.id IN $cases AND NOT a.id IN $keep
DETACH DELETE a
"""


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


def write_case_facts(
    tx: ManagedTransaction,
    doc: ParsedDocument,
    case_ids: dict[str, str],
    excerpt_spans: list[tuple[str, int, int]],
) -> int:
    """Write the cases' innovations and site results; returns the number of site results."""
    tx.run(_INNOVATIONS, rows=innovation_rows(doc, case_ids))
    sites = site_rows(doc, case_ids, excerpt_spans)
    tx.run(_SITES, rows=sites)
    tx.run(_STALE, cases=list(case_ids.values()), keep=[r["id"] for r in sites])
    return len(sites)
