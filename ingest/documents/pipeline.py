"""The document pipeline, wired in one place: reader -> cleaner -> segmenter -> attributor -> cases.

`parse_document(path)` returns a `ParsedDocument`; coded-excerpt exports skip cleaning and
become one excerpt per coded row. The extractor, embedder and writer come after this step.
"""

from __future__ import annotations

from pathlib import Path

from .attribution import QuoteAttributor
from .cases import CaseAttributor, case_key
from .cleaning import DocumentCleaner
from .models import Case, Excerpt, Metadata, OffsetMap, ParsedDocument, RawDocument, StructuredDocument
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
    )


class DocumentPipeline:
    """The components in order; `run(path)` parses one file, `run_raw` one already read."""

    def __init__(self) -> None:
        self.cleaner = DocumentCleaner()
        self.segmenter = DocumentSegmenter()
        self.attributor = QuoteAttributor()
        self.cases = CaseAttributor()
        self.coded = CodedExportParser()

    def run(self, path: Path) -> ParsedDocument:
        return self.run_raw(reader_for(Path(path)).run(Path(path)))

    def run_raw(self, raw: RawDocument) -> ParsedDocument:
        if raw.records:
            return self.coded.run(raw)
        structured = self.cases.run(self.attributor.run(self.segmenter.run(self.cleaner.run(raw))))
        return to_parsed(structured)


def parse_document(path: Path | str) -> ParsedDocument:
    """Parse one file (text, markdown, PDF, DOCX or coded export) into a `ParsedDocument`."""
    return DocumentPipeline().run(Path(path))
