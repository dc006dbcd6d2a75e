"""Writes an extractor's suggestions as Claims, inside the document's own transaction.

A claim is what a reviewer decides on, so findings are grouped: per case, one claim per item
(all the findings of one case naming the same item are its evidence), one per unnamed code and
one per link. Each claim is a Claim {method 'extractor', status 'suggested', confidence (the
group's best), extractor_version, asserted_by = extractor name}: MAKES from the case its excerpts
belong to, and EVIDENCED_BY -> each containing Excerpt, with the finding's span in Source.text on
the relationship (`start`, `end`).

* A named barrier/enabler/approach finding: a met_barrier / had_enabler / used_approach claim,
  SUBJECT -> the item resolved by name like template items (graph/item_resolution.py). A name
  that is a vocabulary concept's name or variant (schema/concepts.py) makes the concept's item
  (its variants as aliases, `IS_CONCEPT` -> the Concept): its CFIR/ERIC codes are the concept's,
  so no coded_as claims are suggested for it. A free name (another extractor's) gets a coded_as
  claim per suggested code (SUBJECT item, OBJECT CfirConstruct/EricStrategy).
* An unnamed one (it resolved to no concept): no item; a coded_as claim from the case, OBJECT its
  best CFIR construct / ERIC strategy, `finding` = its kind, so it still counts as evidence for
  that code (taxonomy pages, CFIR overview).
* An outcome/lesson: a claim with SUBJECT an Outcome/Lesson owned by its evidence (one each).
* A link: an addressed/partly_addressed/did_not_address/caused claim (SUBJECT approach, OBJECT
  barrier).

Claim ids come from the source id, the first evidence span of the group and the kind, and every
write is a MERGE, so writing the same extraction again lands on the same nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction
from spreadgraph.graph.item_resolution import ItemName, resolve_items
from spreadgraph.schema.concepts import Concept, concept_for
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import Extraction
from spreadgraph.schema.model import CLAIM_ENDS
from spreadgraph.schema.names import normalise_name

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
# Claims with no item: a case's evidence coded to a taxonomy entry (unnamed findings).
EVIDENCE_ENDS: tuple[tuple[str | None, str], ...] = ((None, "CfirConstruct"), (None, "EricStrategy"))


def _claim_statement(subject: str | None, obj: str | None) -> str:
    """Labels cannot be parameters; each statement is built from the fixed pairs only."""
    return (
        "UNWIND $rows AS row\n"
        + (f"MATCH (subject:{subject} {{id: row.subject}})\n" if subject else "")
        + (f"MATCH (object:{obj} {{id: row.object}})\n" if obj else "")
        + """MERGE (cl:Claim {id: row.id})
ON CREATE SET cl.kind = row.kind, cl.status = $status, cl.method = $method, cl.finding = row.finding,
              cl.asserted_by = row.by, cl.extractor_version = row.version, cl.confidence = row.confidence
"""
        + ("MERGE (cl)-[:SUBJECT]->(subject)\n" if subject else "")
        + ("MERGE (cl)-[:OBJECT]->(object)\n" if obj else "")
        + """WITH cl, row
CALL (cl, row) {
  UNWIND row.evidence AS evidence
  MATCH (e:Excerpt {id: evidence.excerpt})
  MERGE (cl)-[:EVIDENCED_BY {start: evidence.start, end: evidence.end}]->(e)
}
WITH cl, row
WHERE row.case IS NOT NULL
MATCH (c:Case {id: row.case})
MERGE (c)-[:MAKES]->(cl)
"""
    )


_CLAIMS = {ends: _claim_statement(*ends) for ends in (*CLAIM_ENDS, *EVIDENCE_ENDS)}
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


def _concept(kind: str, name: str) -> Concept | None:
    return concept_for(kind, name) if name and kind in ITEM_LABEL else None


def _item(kind: str, name: str) -> tuple[str, ItemName]:
    """(group key, ItemName) of a named item; a concept's name brings its definition and variants."""
    concept = _concept(kind, name)
    if concept is None:
        return f"{kind}:{normalise_name(name)}", ItemName("", name)
    return f"{kind}:concept:{concept.id}", ItemName(
        "", concept.name, concept.definition, tuple(v for v in concept.variants), concept=concept.id
    )


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
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    items: dict[str, dict[str, ItemName]] = {label: {} for label in ITEM_LABEL.values()}
    owned: dict[str, list[dict[str, Any]]] = {label: [] for label in OWNED_LABEL.values()}

    def group(key: tuple[Any, ...], span: Any, kind: str, confidence: float, **ends: Any) -> dict[str, Any]:
        """The claim row of group `key` (made from its first finding), with `span` as evidence."""
        excerpt = excerpt_id(source_id, doc, span.excerpt_index)
        row = groups.get(key)
        if row is None:
            suffix = ends.pop("suffix", "")
            row = groups[key] = {
                "id": claim_id(source_id, span.start, span.end, kind, suffix),
                "kind": kind,
                "case": excerpt_cases.get(excerpt),
                "confidence": 0.0,
                "by": span.extractor,
                "version": span.extractor_version,
                "evidence": [],
                "finding": None,
                "subject": None,
                "object": None,
                **ends,
            }
        evidence = {"excerpt": excerpt, "start": span.start, "end": span.end}
        if evidence not in row["evidence"]:
            row["evidence"].append(evidence)
        row["confidence"] = max(row["confidence"], round(float(max(0.0, min(1.0, confidence))), 4))
        return row

    def case_of(span: Any) -> str | None:
        return excerpt_cases.get(excerpt_id(source_id, doc, span.excerpt_index))

    for f in sorted(extraction.findings, key=lambda f: (f.start, f.end, f.kind)):
        case = case_of(f)
        if f.kind in OWNED_LABEL:
            label = OWNED_LABEL[f.kind]
            subject = f"{f.kind}:{source_id}:{f.start}-{f.end}"
            owned[label].append({"id": subject, "name": f.name, "text": f.text})
            group((label, f.start, f.end), f, f.claim_kind, f.confidence, ends=(label, None), subject=subject)
            continue
        label = ITEM_LABEL[f.kind]
        if not f.name:  # resolved to nothing: evidence for its best code, no item
            for code in f.codes[:1]:
                ends = (None, CODE_LABEL[code.scheme])
                key = ("evidence", case, f.kind, code.id)
                row = group(key, f, "coded_as", code.similarity, ends=ends, object=code.id, suffix=f.kind)
                row["finding"] = f.kind
            continue
        item_key, name = _item(f.kind, f.name)
        items[label].setdefault(item_key, name)
        suffix = item_key.split(":", 1)[1]
        group(
            ("item", case, item_key),
            f,
            f.claim_kind,
            f.confidence,
            ends=(label, None),
            item=item_key,
            suffix=suffix,
        )
        if name.concept is None:  # a free name: its codes are suggestions to review
            for code in f.codes:
                key = ("code", case, item_key, code.id)
                ends = (label, CODE_LABEL[code.scheme])
                suffix = f"{f.kind}:{code.id}"
                group(
                    key,
                    f,
                    "coded_as",
                    code.similarity,
                    ends=ends,
                    item=item_key,
                    object=code.id,
                    suffix=suffix,
                )
    for link in extraction.links:
        approach_key, approach = _item("approach", link.approach)
        barrier_key, barrier = _item("barrier", link.barrier)
        items["Approach"].setdefault(approach_key, approach)
        items["Barrier"].setdefault(barrier_key, barrier)
        key = ("link", case_of(link), approach_key, barrier_key, link.relation)
        group(
            key,
            link,
            link.relation,
            link.confidence,
            ends=("Approach", "Barrier"),
            item=approach_key,
            object_item=barrier_key,
            suffix=f"{normalise_name(link.approach)}>{normalise_name(link.barrier)}"[:120],
        )
    node_ids: dict[str, str] = {}
    for label, names in items.items():
        if names:
            ids, _ = resolve_items(
                tx,
                label,
                [
                    ItemName(key, n.name, n.description, n.aliases, concept=n.concept)
                    for key, n in names.items()
                ],
            )
            node_ids.update(ids)
    rows: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
    result = ClaimWrite()
    for row in groups.values():
        ends = row.pop("ends")
        if "item" in row:
            row["subject"] = node_ids[row.pop("item")]
        if "object_item" in row:
            row["object"] = node_ids[row.pop("object_item")]
        rows.setdefault(ends, []).append(row)
        result.kinds[row["kind"]] = result.kinds.get(row["kind"], 0) + 1
        result.unattributed += row["case"] is None
    write_rows(tx, rows, owned)
    return result


def write_rows(
    tx: ManagedTransaction,
    claims: dict[tuple[str, str | None], list[dict[str, Any]]],
    owned: dict[str, list[dict[str, Any]]],
    method: str = METHOD,
    status: str = "suggested",
) -> None:
    """Write owned Outcome/Lesson nodes (`id`, `name`, `text`), then claim rows by their
    (SUBJECT, OBJECT) labels (`id`, `kind`, `subject`, `object`, `case`, `by`, `version`,
    `confidence`, optional `finding`, and `evidence`: a list of {`excerpt`, `start`, `end`}, or
    one `excerpt`, `start`, `end`), in batches."""
    for rows in claims.values():
        for row in rows:
            row.setdefault("finding", None)
            if "evidence" not in row:
                row["evidence"] = [{"excerpt": row["excerpt"], "start": row["start"], "end": row["end"]}]
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
