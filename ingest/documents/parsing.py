"""The document pipeline, wired in one place: reader -> cleaner -> segmenter -> attributor -> cases.

`parse_document(path)` returns a `ParsedDocument`; coded-excerpt exports skip cleaning and
become one excerpt per coded row. The extractor, embedder and writer come after this step.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from pathlib import Path

from spreadgraph.schema.document_models import (
    Case,
    Excerpt,
    Metadata,
    OffsetMap,
    ParsedDocument,
    RawDocument,
    StructuredDocument,
)

from .attribution import QuoteAttributor
from .case_attribution import CaseAttributor, case_key
from .cleaning import DocumentCleaner
from .readers import reader_for
from .structure import DocumentSegmenter


class CodedExportParser:
    """`run(RawDocument) -> ParsedDocument` for a coded export: text is the quotes, one per block."""

    def run(self, raw: RawDocument) -> ParsedDocument:
        parts: list[str] = []
        excerpts: list[Excerpt] = []
        cases: dict[str, Case] = {}
        pos = 0
        for record in raw.records:
            start = pos
            parts.append(record.quote)
            pos += len(record.quote)
            key = case_key(record.case) if record.case else None
            if key and key not in cases:
                cases[key] = Case(key=key, title=record.case or key, kind="project")
            excerpts.append(
                Excerpt(
                    text=record.quote,
                    start=start,
                    end=pos,
                    kind="quote",
                    speaker=record.speaker,
                    speaker_role=record.speaker_role,
                    attribution=record.speaker_role,
                    case_key=key,
                    codes=record.codes,
                    section=record.source,
                )
            )
            parts.append("\n\n")
            pos += 2
        text = "".join(parts).rstrip("\n")
        offsets = OffsetMap.from_array(list(range(len(text))), len(text))
        return ParsedDocument(
            file_name=raw.file_name,
            source_format=raw.source_format,
            metadata=Metadata(source_type="coded_export"),
            text=text,
            content_hash=raw.content_hash,
            offsets=offsets,
            excerpts=excerpts,
            cases=list(cases.values()),
            encoding=raw.encoding,
        )


def to_parsed(doc: StructuredDocument) -> ParsedDocument:
    raw = doc.cleaned.raw
    return ParsedDocument(
        file_name=raw.file_name,
        source_format=raw.source_format,
        metadata=doc.metadata,
        text=doc.cleaned.text,
        content_hash=raw.content_hash,
        offsets=doc.cleaned.offsets,
        sections=doc.sections,
        excerpts=doc.excerpts,
        cases=doc.cases,
        footnotes=doc.cleaned.footnotes,
        encoding=raw.encoding,
    )


class DocumentPipeline:
    """The components in order; `run(path)` parses one file, `run_raw` one already read.

    With a `timings` mapping, each phase adds its seconds under 'read', 'clean' and 'structure'
    (segmenting, quote attribution and case attribution).
    """

    def __init__(self, timings: MutableMapping[str, float] | None = None) -> None:
        self.cleaner = DocumentCleaner()
        self.segmenter = DocumentSegmenter()
        self.attributor = QuoteAttributor()
        self.cases = CaseAttributor()
        self.coded = CodedExportParser()
        self.timings = timings

    def _add(self, phase: str, began: float) -> float:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[phase] = self.timings.get(phase, 0.0) + now - began
        return now

    def run(self, path: Path) -> ParsedDocument:
        began = time.perf_counter()
        raw = reader_for(Path(path)).run(Path(path))
        self._add("read", began)
        return self.run_raw(raw)

    def run_raw(self, raw: RawDocument) -> ParsedDocument:
        began = time.perf_counter()
        if raw.records:
            doc = self.coded.run(raw)
            self._add("structure", began)
            return doc
        cleaned = self.cleaner.run(raw)
        began = self._add("clean", began)
        structured = self.cases.run(self.attributor.run(self.segmenter.run(cleaned)))
        doc = to_parsed(structured)
        self._add("structure", began)
        return doc


def parse_document(path: Path | str) -> ParsedDocument:
    """Parse one file (text, markdown, PDF, DOCX or coded export) into a `ParsedDocument`."""
    return DocumentPipeline().run(Path(path))
