"""Writes an extractor's suggestions as Claims, inside the document's own transaction.

Each finding becomes a Claim {method 'extractor', status 'suggested', confidence,
extractor_version, asserted_by = extractor name}: MAKES from the case its excerpt belongs to,
SUBJECT -> a Barrier/Enabler/Approach resolved by name like template items (graph/item_resolution.py), or
an Outcome/Lesson owned by the evidence, and EVIDENCED_BY -> the containing Excerpt with the
sentence's span in Source.text on the relationship (`start`, `end`). Each taxonomy code becomes a
`coded_as` claim (SUBJECT item, OBJECT CfirConstruct/EricStrategy); each link an
addressed/partly_addressed/did_not_address/caused claim (SUBJECT approach, OBJECT barrier).

Claim ids come from the source id, the evidence span and the kind, and every write is a MERGE,
so writing the same extraction again lands on the same nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.item_resolution import ItemName, resolve_items
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import Extraction, Finding
from spreadgraph.schema.model import CLAIM_ENDS

METHOD = "extractor"
ITEM_LABEL = {"barrier": "Barrier", "enabler": "Enabler", "approach": "Approach"}
OWNED_LABEL = {"outcome": "Outcome", "lesson": "Lesson"}
CODE_LABEL = {"cfir2": "CfirConstruct", "eric": "EricStrategy"}
BATCH = 500

_OWNED = {
    "Outcome": """
UNWIND $rows AS row
MERGE (n:Outcome {id: row.id})
ON CREATE SET n.measure = row.name, n.value = row.text, n.direction = 'unclear',
              n.evidence_strength = 'anecdotal'
""",
    "Lesson": """
UNWIND $rows AS row
MERGE (n:Lesson {id: row.id})
ON CREATE SET n.text = row.text
""",
}
# Labels cannot be parameters; each statement is built from the fixed pairs above.
_CLAIMS = {
    (subject, obj): f"""
UNWIND $rows AS row
MATCH (subject:{subject} {{id: row.subject}})
MATCH (e:Excerpt {{id: row.excerpt}})
"""
    + (f"MATCH (object:{obj} {{id: row.object}})\n" if obj else "")
    + """MERGE (cl:Claim {id: row.id})
ON CREATE SET cl.kind = row.kind, cl.status = $status, cl.method = $method,
              cl.asserted_by = row.by, cl.extractor_version = row.version, cl.confidence = row.confidence
MERGE (cl)-[:SUBJECT]->(subject)
MERGE (cl)-[ev:EVIDENCED_BY]->(e)
SET ev.start = row.start, ev.end = row.end
"""
    + ("MERGE (cl)-[:OBJECT]->(object)\n" if obj else "")
    + """WITH cl, row
WHERE row.case IS NOT NULL
MATCH (c:Case {id: row.case})
MERGE (c)-[:MAKES]->(cl)
"""
    for subject, obj in CLAIM_ENDS
}
_RETIRE = """
MATCH (:Source {id: $previous})<-[:FROM]-(:Excerpt)<-[:EVIDENCED_BY]-(cl:Claim {method: $method})
WHERE cl.status = 'suggested'
OPTIONAL MATCH (cl)-[:SUBJECT|OBJECT]->(item)
WITH collect(DISTINCT cl) AS claims, collect(DISTINCT item.id) AS items
CALL {
  WITH claims
  UNWIND claims AS cl
  OPTIONAL MATCH (cl)-[:SUBJECT]->(owned) WHERE owned:Outcome OR owned:Lesson
  DETACH DELETE owned, cl
}
RETURN items
"""


@dataclass
class ClaimWrite:
    """How many claims of each kind were written for one document."""

    kinds: dict[str, int] = field(default_factory=dict)
    unattributed: int = 0  # claims whose excerpt belongs to no case

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def claim_id(source_id: str, start: int, end: int, kind: str, suffix: str = "") -> str:
    """'claim:<source id>:<start>-<end>:<kind>[:<suffix>]': stable across re-runs."""
    return f"claim:{source_id}:{start}-{end}:{kind}" + (f":{suffix}" if suffix else "")


def excerpt_id(source_id: str, doc: ParsedDocument, index: int) -> str:
    e = doc.excerpts[index]
    return f"{source_id}:{e.start}-{e.end}"


def _resolve(tx: ManagedTransaction, label: str, names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(key, name) pairs -> node ids, by graph/item_resolution.py name resolution (created or reused)."""
    items = [ItemName(key, name) for key, name in names]
    if not items:
        return {}
    ids, _ = resolve_items(tx, label, items)
    return ids


def _item_names(source_id: str, extraction: Extraction, kind: str) -> list[tuple[str, str]]:
    """(key, name) of every finding of `kind`, and of every link end of that kind ('link:<i>')."""
    names = [
        (claim_id(source_id, f.start, f.end, f.claim_kind), f.name)
        for f in extraction.findings
        if f.kind == kind
    ]
    if kind in ("approach", "barrier"):
        names += [
            (f"link:{i}", link.approach if kind == "approach" else link.barrier)
            for i, link in enumerate(extraction.links)
        ]
    return names


def write_extraction(
    tx: ManagedTransaction,
    doc: ParsedDocument,
    extraction: Extraction,
    source_id: str,
    excerpt_cases: dict[str, str | None],
) -> ClaimWrite:
    """Write `extraction` for `doc` (already written under `source_id`) in the caller's transaction.

    `excerpt_cases` maps each excerpt id to the id of the case holding it (or None).
    """
    rows: dict[tuple[str, str | None], dict[str, dict[str, Any]]] = {}
    result = ClaimWrite()

    def add(ends: tuple[str, str | None], row: dict[str, Any]) -> None:
        if row["id"] not in rows.setdefault(ends, {}):
            rows[ends][row["id"]] = row
            result.kinds[row["kind"]] = result.kinds.get(row["kind"], 0) + 1
            result.unattributed += row["case"] is None

    def base(span_of: Finding | Any, kind: str, confidence: float, suffix: str = "") -> dict[str, Any]:
        excerpt = excerpt_id(source_id, doc, span_of.excerpt_index)
        return {
            "id": claim_id(source_id, span_of.start, span_of.end, kind, suffix),
            "kind": kind,
            "excerpt": excerpt,
            "case": excerpt_cases.get(excerpt),
            "start": span_of.start,
            "end": span_of.end,
            "confidence": round(float(confidence), 4),
            "by": span_of.extractor,
            "version": span_of.extractor_version,
        }

    item_ids = {
        label: _resolve(tx, label, _item_names(source_id, extraction, kind))
        for kind, label in ITEM_LABEL.items()
    }
    owned: dict[str, list[dict[str, Any]]] = {label: [] for label in OWNED_LABEL.values()}
    for f in extraction.findings:
        row = base(f, f.claim_kind, f.confidence)
        if f.kind in ITEM_LABEL:
            label = ITEM_LABEL[f.kind]
            subject = item_ids[label][row["id"]]
            add((label, None), {**row, "subject": subject, "object": None})
            for code in f.codes:
                code_row = base(f, "coded_as", max(0.0, min(1.0, code.similarity)), f"{f.kind}:{code.id}")
                add((label, CODE_LABEL[code.scheme]), {**code_row, "subject": subject, "object": code.id})
        else:
            label = OWNED_LABEL[f.kind]
            subject = f"{f.kind}:{source_id}:{f.start}-{f.end}"
            owned[label].append({"id": subject, "name": f.name, "text": f.text})
            add((label, None), {**row, "subject": subject, "object": None})
    for i, link in enumerate(extraction.links):
        row = base(link, link.relation, link.confidence)
        approach, barrier = item_ids["Approach"][f"link:{i}"], item_ids["Barrier"][f"link:{i}"]
        add(("Approach", "Barrier"), {**row, "subject": approach, "object": barrier})
    write_rows(tx, {ends: list(by_id.values()) for ends, by_id in rows.items()}, owned)
    return result


def write_rows(
    tx: ManagedTransaction,
    claims: dict[tuple[str, str | None], list[dict[str, Any]]],
    owned: dict[str, list[dict[str, Any]]],
    method: str = METHOD,
    status: str = "suggested",
) -> None:
    """Write owned Outcome/Lesson nodes (`id`, `name`, `text`), then claim rows by their
    (SUBJECT, OBJECT) labels (`id`, `kind`, `subject`, `object`, `excerpt`, `case`, `start`,
    `end`, `by`, `version`, `confidence`), in batches."""
    for label, items in owned.items():
        for i in range(0, len(items), BATCH):
            tx.run(_OWNED[label], rows=items[i : i + BATCH])
    for ends, batch in claims.items():
        for i in range(0, len(batch), BATCH):
            tx.run(_CLAIMS[ends], rows=batch[i : i + BATCH], method=method, status=status)


def retire_claims(tx: ManagedTransaction, previous: str) -> list[str]:
    """Delete the still-suggested extractor claims of an older version; return the items they touched.

    Confirmed and rejected claims are a person's work and stay with the old version's excerpts.
    """
    record = tx.run(_RETIRE, previous=previous, method=METHOD).single()
    return list(record["items"]) if record else []
