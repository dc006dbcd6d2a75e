"""Writes a parsed document to the graph: Source, its Excerpts and its Cases, in one transaction.

Identity and versions:
- the Source id comes from the content hash, so the same bytes again write nothing;
- a different hash under a file name already ingested becomes the next version of that Source,
  linked `(new)-[:PREVIOUS_VERSION]->(old)`; the old Source and its excerpts are kept;
- an Excerpt id is the Source id plus its span in `Source.text` (MERGEd, so a re-run after an
  interrupted write lands on the same nodes);
- a Case id comes from the file name and the case key, so every version of a document describes
  the same Case; a new version moves the case's HAS_EXCERPT links to the new version's excerpts.
Cases from documents are 'published' (they come from published reports). A document the parser
splits into no cases gets one document-level case (key 'document') holding every excerpt.
Given an extractor's result, the same transaction writes its suggested claims (graph/claims.py);
given excerpt vectors (text -> unit vector), each Excerpt stores its `embedding`. A new version
retires the older version's still-suggested extractor claims. Last, cases that cite the document
(templates, coded exports) are linked to it and to its matching case (graph/case_links.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.case_links import link_source
from spreadgraph.graph.claims import ClaimWrite, retire_claims, write_extraction
from spreadgraph.graph.coded_claims import write_coded_claims
from spreadgraph.graph.connection import write_tx
from spreadgraph.graph.document_cases import write_case_facts
from spreadgraph.graph.item_resolution import tidy_items
from spreadgraph.graph.quote_links import link_quotes
from spreadgraph.schema.document_models import ParsedDocument

from spreadgraph.errors import IngestError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from spreadgraph.schema.extraction_models import Extraction

CODED_FORMATS = ("coded_csv", "coded_json")
BATCH = 500

_EXISTING = "MATCH (s:Source {id: $id}) RETURN s.version AS version"
_LATEST = """
MATCH (s:Source {file_name: $file_name})
WHERE s.kind IN ['document', 'coded_export']
RETURN s.id AS id, s.version AS version
ORDER BY s.version DESC
LIMIT 1
"""
_SOURCE = """
MERGE (s:Source {id: $id})
SET s += $props, s.ingested_at = datetime()
WITH s
OPTIONAL MATCH (prev:Source {id: $previous})
FOREACH (_ IN CASE WHEN prev IS NULL THEN [] ELSE [1] END | MERGE (s)-[:PREVIOUS_VERSION]->(prev))
"""
_RETIRE = """
MATCH (:Source {id: $previous})<-[:FROM]-(e:Excerpt)<-[r:HAS_EXCERPT]-(c:Case)
WHERE c.id IN $cases
DELETE r
"""
_CASES = """
MATCH (s:Source {id: $source})
UNWIND $rows AS row
MERGE (c:Case {id: row.id})
ON CREATE SET c.status = 'published'
SET c.title = row.title, c.case_kind = row.kind, c.aliases = row.aliases, c.document_key = row.key
MERGE (c)-[:DESCRIBED_IN]->(s)
"""
_EXCERPTS = """
MATCH (s:Source {id: $source})
UNWIND $rows AS row
MERGE (e:Excerpt {id: row.id})
SET e += row.props
MERGE (e)-[:FROM]->(s)
WITH e, row
WHERE row.case IS NOT NULL
MATCH (c:Case {id: row.case})
MERGE (c)-[:HAS_EXCERPT]->(e)
"""


@dataclass
class DocumentWrite:
    """What happened to one document: created (version 1), versioned (2, 3, ...) or unchanged."""

    source_id: str
    action: str
    version: int
    file_name: str
    sections: int = 0
    excerpts: int = 0
    quotes: int = 0
    cases: int = 0
    previous: str | None = None
    claims: ClaimWrite | None = None
    coded: dict[str, int] = field(default_factory=dict)  # confirmed claims from an export's codes

    def summary(self, label: str | None = None) -> str:
        label = label or self.file_name
        if self.action == "unchanged":
            return f"{label}: unchanged {self.source_id} (version {self.version})"
        text = (
            f"{label}: {self.action} {self.source_id} (version {self.version}): "
            f"{self.sections} sections, {self.excerpts} excerpts ({self.quotes} quotes), {self.cases} cases"
        )
        if self.claims is not None:
            text += f", {self.claims.total} suggested claims"
        coded, skipped = sum(self.coded.values()) - self.coded.get("skipped", 0), self.coded.get("skipped", 0)
        if coded or skipped:
            text += f", {coded} coded claims" + (f" ({skipped} codes skipped)" if skipped else "")
        return text + (f"; previous version {self.previous}" if self.previous else "")


def source_id_for(doc: ParsedDocument) -> str:
    """'source:doc:' + the first 16 hex digits of the sha256 of the raw file."""
    return "source:doc:" + doc.content_hash[:16]


def document_key(file_name: str) -> str:
    """A slug of the file name without its extension: the part of a Case id that names the document."""
    return re.sub(r"[^a-z0-9]+", "-", Path(file_name).stem.lower()).strip("-") or "document"


def case_id_for(file_name: str, key: str) -> str:
    return f"case:doc:{document_key(file_name)}:{key}"


def source_kind(doc: ParsedDocument) -> str:
    return "coded_export" if doc.source_format in CODED_FORMATS else "document"


def _source_props(doc: ParsedDocument, version: int) -> dict[str, Any]:
    meta = doc.metadata
    return {
        "kind": source_kind(doc),
        "title": meta.title or doc.file_name,
        "authors": meta.authors,
        "year": meta.year,
        "source_type": meta.source_type,
        "file_name": doc.file_name,
        "format": doc.source_format,
        "encoding": doc.encoding,
        "content_hash": doc.content_hash,
        "version": version,
        "text": doc.text,
    }


def case_rows(doc: ParsedDocument) -> list[dict[str, Any]]:
    """One row per case the document reports; a document with none gets one document-level case."""
    cases = [(c.key, c.title, c.kind, c.aliases) for c in doc.cases]
    if not cases:
        cases = [("document", doc.metadata.title or doc.file_name, "document", [])]
    return [
        {"id": case_id_for(doc.file_name, key), "key": key, "title": title, "kind": kind, "aliases": aliases}
        for key, title, kind, aliases in cases
    ]


def excerpt_rows(
    doc: ParsedDocument,
    source_id: str,
    case_ids: dict[str, str],
    vectors: Mapping[str, Sequence[float]] | None = None,
) -> list[dict[str, Any]]:
    """One row per distinct span; an excerpt without a case goes to the document-level case, if any.

    With `vectors` (excerpt text -> unit vector), each row also carries the excerpt's embedding.
    """
    default = case_ids.get("document") if not doc.cases else None
    rows: dict[str, dict[str, Any]] = {}
    for e in doc.excerpts:
        if doc.text[e.start : e.end] != e.text:
            raise IngestError(f"{doc.file_name}: excerpt span {e.start}-{e.end} does not match its text")
        excerpt_id = f"{source_id}:{e.start}-{e.end}"
        rows.setdefault(
            excerpt_id,
            {
                "id": excerpt_id,
                "case": case_ids.get(e.case_key) if e.case_key else default,
                "props": {
                    "text": e.text,
                    "kind": e.kind,
                    "speaker": e.speaker,
                    "speaker_role": e.speaker_role,
                    "attribution": e.attribution,
                    "section": e.section,
                    "codes": e.codes or None,
                    "start": e.start,
                    "end": e.end,
                },
            },
        )
        if vectors is not None and e.text in vectors:
            rows[excerpt_id]["props"]["embedding"] = [float(x) for x in vectors[e.text]]
    return list(rows.values())


def write_document(
    tx: ManagedTransaction,
    doc: ParsedDocument,
    extraction: Extraction | None = None,
    vectors: Mapping[str, Sequence[float]] | None = None,
) -> DocumentWrite:
    """Write one parsed document (and its extraction) in the caller's transaction; same content: nothing."""
    source_id = source_id_for(doc)
    existing = tx.run(_EXISTING, id=source_id).single()
    if existing is not None:
        return DocumentWrite(source_id, "unchanged", existing["version"] or 1, doc.file_name)
    latest = tx.run(_LATEST, file_name=doc.file_name).single()
    previous = latest["id"] if latest else None
    version = (latest["version"] or 1) + 1 if latest else 1
    cases = case_rows(doc)
    case_ids = {row["key"]: row["id"] for row in cases}
    rows = excerpt_rows(doc, source_id, case_ids, vectors)
    tx.run(_SOURCE, id=source_id, props=_source_props(doc, version), previous=previous)
    retired: list[str] = []
    if previous:
        tx.run(_RETIRE, previous=previous, cases=list(case_ids.values()))
        retired = retire_claims(tx, previous)
    tx.run(_CASES, source=source_id, rows=cases)
    for i in range(0, len(rows), BATCH):
        tx.run(_EXCERPTS, source=source_id, rows=rows[i : i + BATCH])
    excerpt_cases = {r["id"]: r["case"] for r in rows}
    spans = [(r["id"], r["props"]["start"], r["props"]["end"]) for r in rows]
    write_case_facts(tx, doc, case_ids, spans)
    coded = write_coded_claims(tx, doc, source_id, excerpt_cases)
    claims = None
    if extraction is not None:
        claims = write_extraction(tx, doc, extraction, source_id, excerpt_cases)
    if retired:
        tidy_items(tx, retired)
    link_source(tx, source_id, doc.file_name, source_kind(doc))
    if source_kind(doc) == "coded_export":
        link_quotes(tx, export=source_id)
    else:
        link_quotes(tx, file_name=doc.file_name)
    return DocumentWrite(
        source_id,
        "versioned" if previous else "created",
        version,
        doc.file_name,
        sections=len(doc.sections),
        excerpts=len(rows),
        quotes=len(doc.quotes()),
        cases=len(cases),
        previous=previous,
        claims=claims,
        coded=dict(coded),
    )


def save_document(
    doc: ParsedDocument,
    *,
    driver: Driver | None = None,
    extraction: Extraction | None = None,
    vectors: Mapping[str, Sequence[float]] | None = None,
) -> DocumentWrite:
    """Write one parsed document (and its extraction) as a single atomic, retried transaction."""
    return write_tx(lambda tx: write_document(tx, doc, extraction, vectors), driver=driver)


def source_exists(tx: ManagedTransaction, doc: ParsedDocument) -> bool:
    """True when this exact content is already in the graph (so ingest can skip extracting it)."""
    return tx.run(_EXISTING, id=source_id_for(doc)).single() is not None


_UNFINISHED = """
MATCH (s:Source {id: $id})
RETURN EXISTS { MATCH (c:Case)-[:DESCRIBED_IN]->(s) WHERE c.embedding IS NULL }
    OR EXISTS { MATCH (e:Excerpt)-[:FROM]->(s) WHERE e.embedding IS NULL }
    OR EXISTS {
        MATCH (s)<-[:FROM]-(:Excerpt)<-[:EVIDENCED_BY]-(:Claim)-[:SUBJECT|OBJECT]->(n)
        WHERE n.embedding IS NULL AND any(label IN labels(n) WHERE label IN $labels)
    } AS unfinished
"""


def source_unfinished(tx: ManagedTransaction, doc: ParsedDocument, labels: Sequence[str]) -> bool:
    """True when this document is in the graph but its cases, excerpts or the items its claims name
    (nodes of the embedded `labels`) still lack an embedding: an ingest that wrote the document was
    stopped before its last step (kill -9 between the document's transaction and the embeddings)."""
    row = tx.run(_UNFINISHED, id=source_id_for(doc), labels=list(labels)).single()
    return bool(row and row["unfinished"])
