"""Codes from a qualitative-analysis export become Claims, in the document's own transaction.

A coded-excerpt export (CSV/JSON, ingest/documents/readers.py) carries an analyst's codes on
each quote, e.g. `barrier:lack of time; approach:training`. Each code `<kind>:<name>` becomes a
Claim {method 'coded_import', status 'confirmed', asserted_by 'coded export <file>'}: a person
applied the code, so it is not a machine suggestion waiting in the review queue. Like every
claim it is MAKES from the excerpt's case, SUBJECT -> the Barrier/Enabler/Approach resolved by
name (graph/item_resolution.py: the same node a template or the extractor names) or an Outcome/Lesson owned
by the evidence, and EVIDENCED_BY -> the excerpt with its span. Codes of other kinds are kept on
the excerpt (`codes`) and reported as skipped. Ids come from the excerpt span, kind and name, and
every write is a MERGE, so importing the same export again changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.claims import ITEM_LABEL, OWNED_LABEL, claim_id, write_rows
from spreadgraph.graph.item_resolution import ItemName, item_id, resolve_items
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import CLAIM_KIND

METHOD = "coded_import"


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
    by = f"coded export {doc.file_name}"
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
            claim = claim_id(source_id, e.start, e.end, kind, f"code:{key}")
            subject = f"{kind}:{source_id}:{e.start}-{e.end}:{key}" if kind in OWNED_LABEL else claim
            row = {
                "id": claim,
                "kind": CLAIM_KIND[kind],
                "subject": subject,
                "object": None,
                "excerpt": excerpt,
                "case": excerpt_cases.get(excerpt),
                "start": e.start,
                "end": e.end,
                "by": by,
                "version": None,
                "confidence": 1.0,
                # owned nodes: an outcome's measure is the code, its value the quote; a lesson is the code
                "name": name,
                "text": name if kind == "lesson" else e.text,
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
    owned = {
        label: [{"id": r["subject"], "name": r["name"], "text": r["text"]} for r in rows[label].values()]
        for label in OWNED_LABEL.values()
        if label in rows
    }
    claims = {(label, None): list(by_id.values()) for label, by_id in rows.items()}
    write_rows(tx, claims, owned, METHOD, "confirmed")
    return counts
