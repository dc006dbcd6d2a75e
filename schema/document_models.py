"""Pure result models of the document pipeline: what each component takes and returns.

Nothing here touches the graph: the writer (next step) maps a `ParsedDocument` onto Source,
Excerpt and Case nodes. Spans (`start`, `end`) always index `ParsedDocument.text`, the cleaned
text that becomes `Source.text`; `raw_start`/`raw_end` index the text as read from the file.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from pydantic import BaseModel, Field

SourceFormat = Literal["text", "markdown", "pdf", "docx", "coded_csv", "coded_json"]
ExcerptKind = Literal["quote", "passage"]


class CodedRecord(BaseModel):
    """One row of a coded-excerpt export (QDA tool): a quote, who said it, and its codes."""

    quote: str
    speaker: str | None = None
    speaker_role: str | None = None
    source: str | None = None
    case: str | None = None
    codes: list[str] = Field(default_factory=list)


class RawDocument(BaseModel):
    """What a reader returns: the text layer of one file, untouched, and its identity."""

    path: str
    file_name: str
    source_format: SourceFormat
    text: str
    content_hash: str
    records: list[CodedRecord] = Field(default_factory=list)
    encoding: str | None = Field(None, description="text encoding it was decoded from (None: PDF/DOCX)")


class OffsetMap(BaseModel):
    """Cleaned-text offset -> raw-text offset, stored as runs of characters copied in order.

    Each run is `(clean_start, raw_start, length)`; characters inserted by cleaning (a space
    joining two lines) map to the raw character they replaced.
    """

    runs: list[tuple[int, int, int]] = Field(default_factory=list)
    clean_length: int = 0
    raw_length: int = 0

    @classmethod
    def from_array(cls, offsets: list[int], raw_length: int) -> OffsetMap:
        """Compress a per-character array (len(clean) entries) into runs."""
        runs: list[tuple[int, int, int]] = []
        for i, raw in enumerate(offsets):
            if runs:
                c0, r0, n = runs[-1]
                if c0 + n == i and r0 + n == raw:
                    runs[-1] = (c0, r0, n + 1)
                    continue
            runs.append((i, raw, 1))
        return cls(runs=runs, clean_length=len(offsets), raw_length=raw_length)

    def to_raw(self, index: int) -> int:
        """Raw offset of the cleaned character at `index` (len(clean) maps to len(raw))."""
        if index >= self.clean_length:
            return self.raw_length
        k = bisect_right(self.runs, (index, self.raw_length + 1, 0)) - 1
        c0, r0, n = self.runs[k]
        return r0 + min(index - c0, n - 1)

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The raw span covering cleaned span [start, end)."""
        if end <= start:
            raw = self.to_raw(start)
            return raw, raw
        return self.to_raw(start), self.to_raw(end - 1) + 1


class Footnote(BaseModel):
    """A footnote or superscript marker lifted out of the running text."""

    marker: str
    raw_start: int
    text: str = ""


class CleanedText(BaseModel):
    """What the cleaner returns: cleaned text, its map to the raw text, and what was lifted out."""

    raw: RawDocument
    text: str
    offsets: OffsetMap
    footnotes: list[Footnote] = Field(default_factory=list)
    dropped: list[tuple[str, int, int]] = Field(default_factory=list, description="(rule, raw start, end)")


class Metadata(BaseModel):
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    source_type: str | None = None


class Paragraph(BaseModel):
    start: int
    end: int
    section: str | None = None
    is_heading: bool = False


class Section(BaseModel):
    """A heading and the cleaned-text span it governs (up to the next heading)."""

    title: str
    level: int = 1
    start: int
    end: int


class Excerpt(BaseModel):
    """A verbatim span of the cleaned text: a participant quote or a passage."""

    text: str
    start: int
    end: int
    raw_start: int = 0
    raw_end: int = 0
    kind: ExcerptKind = "passage"
    speaker: str | None = None
    speaker_role: str | None = None
    attribution: str | None = Field(None, description="the attribution text as printed")
    section: str | None = None
    case_key: str | None = None
    codes: list[str] = Field(default_factory=list)


class SiteOutcome(BaseModel):
    """One site's or region's result as the document's table states it (ingest/documents/site_results.py)."""

    site: str
    success: bool
    measure: str = Field(description="the source's own words for what counted, e.g. 'TCAM spread success'")
    start: int = Field(description="the table row's span in the cleaned text")
    end: int


class Case(BaseModel):
    """One case (project, arm, phase, site) a document reports; `key` is stable within it."""

    key: str
    title: str
    kind: str = "case"
    aliases: list[str] = Field(default_factory=list)
    innovation: str | None = Field(None, description="what was spread, as the text names it")
    sites: list[SiteOutcome] = Field(default_factory=list)


class StructuredDocument(BaseModel):
    """What the segmenter returns: cleaned text split into metadata, sections and paragraphs."""

    cleaned: CleanedText
    metadata: Metadata
    sections: list[Section] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    excerpts: list[Excerpt] = Field(default_factory=list)
    cases: list[Case] = Field(default_factory=list)


class ParsedDocument(BaseModel):
    """The pipeline's result for one file, ready for the extractor and the graph writer."""

    file_name: str
    source_format: SourceFormat
    metadata: Metadata
    text: str
    content_hash: str
    offsets: OffsetMap
    sections: list[Section] = Field(default_factory=list)
    excerpts: list[Excerpt] = Field(default_factory=list)
    cases: list[Case] = Field(default_factory=list)
    footnotes: list[Footnote] = Field(default_factory=list)
    encoding: str | None = Field(None, description="text encoding of the file (None: PDF/DOCX)")

    def quotes(self) -> list[Excerpt]:
        return [e for e in self.excerpts if e.kind == "quote"]
