"""Codes from a qualitative-analysis export become Claims, in the document's own transaction.

A coded-excerpt export (CSV/JSON, ingest/documents/readers.py) carries an analyst's codes on
each quote, e.g. `barrier:lack of time; approach:training`. Each code `<kind>:<name>` becomes a
Claim {method 'coded_import', status 'confirmed', asserted_by 'coded export <file>'}: a person
applied the code, so it is not a machine suggestion waiting in the review queue. Like every
claim it is MAKES from the excerpt's case, SUBJECT -> the Barrier/Enabler/Approach resolved by
name (graph/items.py: the same node a template or the extractor names) or an Outcome/Lesson owned
by the evidence, and EVIDENCED_BY -> the excerpt with its span. Codes of other kinds are kept on
the excerpt (`codes`) and reported as skipped. Ids come from the excerpt span, kind and name, and
every write is a MERGE, so importing the same export again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.claims import ITEM_LABEL, OWNED_LABEL
from spreadgraph.graph.items import ItemName, item_id, resolve_items
from spreadgraph.ingest.documents.models import ParsedDocument
from spreadgraph.ingest.extraction.models import CLAIM_KIND

METHOD = "coded_import"
#: kind -> statement creating the node a claim of that kind is about (owned by its evidence).
OWNED_NODE = {
    "outcome": "MERGE (n:Outcome {id: row.subject}) ON CREATE SET n.measure = row.name, "
    "n.value = row.text, n.direction = 'unclear', n.evidence_strength = 'anecdotal'",
    "lesson": "MERGE (n:Lesson {id: row.subject}) ON CREATE SET n.text = row.name",
}

_CLAIM = """
UNWIND $rows AS row
MATCH (subject:{label} {{id: row.subject}})
MATCH (e:Excerpt {{id: row.excerpt}})
MERGE (cl:Claim {{id: row.id}})
ON CREATE SET cl.kind = row.kind, cl.status = 'confirmed', cl.method = $method,
              cl.asserted_by = $by, cl.confidence = 1.0
MERGE (cl)-[:SUBJECT]->(subject)
MERGE (cl)-[ev:EVIDENCED_BY]->(e)
SET ev.start = row.start, ev.end = row.end
WITH cl, row
WHERE row.case IS NOT NULL
MATCH (c:Case {{id: row.case}})
MERGE (c)-[:MAKES]->(cl)
"""


def parse_code(code: str) -> tuple[str, str] | None:
    """`'Barrier: lack of time'` -> ('barrier', 'lack of time'); None when not `<kind>:<name>`."""
    kind, sep, name = code.partition(":")
    kind, name = kind.strip().lower(), " ".join(name.split())
    if not sep or not name or kind not in CLAIM_KIND:
        return None
    return kind, name


def write_coded_claims(
    tx: ManagedTransaction, doc: ParsedDocument, source_id: str, excerpt_cases: Mapping[str, str | None]
) -> Counter[str]:
    """Write one confirmed claim per recognised code of `doc`'s excerpts; count them per kind."""
    counts: Counter[str] = Counter()
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, list[ItemName]] = {label: [] for label in ITEM_LABEL.values()}
    for e in doc.excerpts:
        excerpt = f"{source_id}:{e.start}-{e.end}"
        for code in e.codes:
            parsed = parse_code(code)
            if parsed is None:
                counts["skipped"] += 1
                continue
            kind, name = parsed
            label = ITEM_LABEL.get(kind) or OWNED_LABEL[kind]
            key = item_id(kind, name).split(":", 1)[1]
            claim = f"claim:{source_id}:{e.start}-{e.end}:{kind}:code:{key}"
            subject = f"{kind}:{source_id}:{e.start}-{e.end}:{key}" if kind in OWNED_NODE else claim
            row = {
                "id": claim,
                "kind": CLAIM_KIND[kind],
                "subject": subject,
                "name": name,
                "text": e.text,
                "excerpt": excerpt,
                "case": excerpt_cases.get(excerpt),
                "start": e.start,
                "end": e.end,
            }
            if claim not in rows.setdefault(label, {}):
                rows[label][claim] = row
                counts[kind] += 1
                if kind in ITEM_LABEL:
                    names[label].append(ItemName(claim, name))
    for label, items in names.items():
        if items:
            ids, _ = resolve_items(tx, label, items)
            for claim, row in rows[label].items():
                row["subject"] = ids[claim]
    for kind, statement in OWNED_NODE.items():
        owned = list(rows.get(OWNED_LABEL[kind], {}).values())
        if owned:
            tx.run("UNWIND $rows AS row " + statement, rows=owned)
    by = f"coded export {doc.file_name}"
    for label, by_id in rows.items():
        tx.run(_CLAIM.format(label=label), rows=list(by_id.values()), method=METHOD, by=by)
    return counts
