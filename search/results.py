"""What a search answers: results with their case, source and evidence span (the API and the pages
share these models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, PrivateAttr


class CaseRef(BaseModel):
    """A case a result or claim belongs to."""

    id: str
    title: str | None = None
    status: str | None = None


class SourceRef(BaseModel):
    """The source evidence was read from, with the span and excerpt it sits in."""

    id: str
    title: str | None = None
    file_name: str | None = None
    kind: str | None = None
    source_type: str | None = None
    year: int | None = None
    template_id: str | None = Field(None, description="case template id, for template sources")
    excerpt_id: str | None = Field(None, description="the excerpt holding the evidence")
    start: int | None = Field(None, description="evidence span start in the source text")
    end: int | None = None
    field: str | None = Field(None, description="template field of the quote, for template sources")
    # A coded quote shown as the report it quotes: its own windows' offsets (in the export's text)
    # move by `_shift` into the report, inside the quote's span `_bounds` (search/passages.py).
    _shift: int = PrivateAttr(0)
    _bounds: tuple[int, int] | None = PrivateAttr(None)

    def translate(self, start: int, end: int) -> tuple[int, int]:
        """A span of the text this evidence was read from, as a span of this source."""
        start, end = start + self._shift, end + self._shift
        if self._bounds is not None:
            lo, hi = self._bounds
            start, end = min(max(start, lo), hi), min(max(end, lo), hi)
        return start, end


class Evidence(BaseModel):
    """A quoted passage: its text, the excerpt it comes from, and where that sits in its source."""

    text: str | None = None
    excerpt_id: str
    source_id: str | None = None
    source_title: str | None = None
    file_name: str | None = None
    start: int | None = None
    end: int | None = None
    field: str | None = None
    speaker_role: str | None = None


class ItemMark(BaseModel):
    """A barrier, enabler or approach that a passage is evidence for (a live claim cites it)."""

    kind: str = Field(description="barrier | enabler | approach")
    id: str
    name: str | None = None
    status: str | None = Field(None, description="the claim's review state: confirmed | suggested")


class SearchResult(BaseModel):
    kind: str
    id: str
    score: float
    text: str | None = Field(None, description="evidence: the best sentence window")
    name: str | None = None
    description: str | None = None
    section: str | None = Field(
        None,
        description="where the passage sits in its source (a heading); for a coded quote, the title "
        "of the document it was coded from, or that document's file name when the graph lacks it",
    )
    speaker_role: str | None = None
    case: CaseRef | None = None
    source: SourceRef | None = None
    ranks: dict[str, int] = Field(default_factory=dict, description="rank in each retriever's list")
    merged: list[str] = Field(
        default_factory=list, description="ids of overlapping windows merged into this passage"
    )
    about: list[ItemMark] = Field(
        default_factory=list, description="for a passage: the barriers, enablers and approaches it evidences"
    )
    also_in: list[SourceRef] = Field(
        default_factory=list,
        description="other sources quoting the same words (a coded export or template citing this passage)",
    )

    @property
    def evidenced(self) -> bool:
        """True when the result shows a passage from a source."""
        return bool(self.text) and self.source is not None


class SearchResponse(BaseModel):
    query: str
    mode: str
    limit: int
    filters: dict[str, Any]
    notes: list[str] = Field(default_factory=list)
    expanded: list[str] = Field(
        default_factory=list, description="concepts of the vocabulary the query was also searched as"
    )
    results: list[SearchResult] = Field(
        default_factory=list,
        description="passages that answer the query, best first, each with its case, source, span and "
        "the items it evidences",
    )
    items: list[SearchResult] = Field(
        default_factory=list,
        description="cases, barriers and approaches matching the query, each with the passage of its "
        "evidence that best matches the query; those with no source evidence last",
    )


def result_from_row(kind: str, row: dict[str, Any]) -> SearchResult:
    """A result from a statement row (the columns of `UNIT_DETAILS` and the node statements)."""
    case = (
        CaseRef(id=row["case_id"], title=row["case_title"], status=row["case_status"])
        if row.get("case_id")
        else None
    )
    source = None
    if row.get("source_id"):
        template = row["source_kind"] == "template"
        spanned = row.get("spanned") and row.get("start") is not None
        source = SourceRef(
            id=row["source_id"],
            title=row["source_title"],
            file_name=row["file_name"],
            kind=row["source_kind"],
            source_type=row["source_type"],
            year=row["year"],
            template_id=(case.id.removeprefix("case:") if case else None) if template else None,
            excerpt_id=row.get("excerpt_id"),
            start=row["start"] if spanned else None,
            end=row["end"] if spanned else None,
            field=row.get("field"),
        )
    also_in: list[SourceRef] = []
    if source is not None and row.get("quoted") and row.get("start") is not None:
        source, also_in = quoted_source(row["quoted"], (row["start"], row["end"])), [source]
    return SearchResult(
        also_in=also_in,
        kind=kind,
        id=row["id"],
        score=float(row["score"]),
        text=row.get("text"),
        name=row.get("name"),
        description=row.get("description"),
        section=row.get("section"),
        speaker_role=row.get("speaker_role"),
        case=case,
        source=source,
    )


def quoted_source(quoted: dict[str, Any], window: tuple[int, int]) -> SourceRef:
    """The report a coded quote quotes (graph/quote_links.py), with the `window` (its span in the
    export's text) moved into the report by the quote's `shift`, inside the quote's span there
    should the two copies' spacing differ."""
    source = SourceRef.model_validate(quoted)  # the map's source fields; the rest is ignored
    source._shift, source._bounds = quoted["shift"], (quoted["quote_start"], quoted["quote_end"])
    source.start, source.end = source.translate(*window)
    return source


def fill_results(results: list[SearchResult], kind: str, rows: list[dict[str, Any]]) -> None:
    """Copy what each row (details or evidence, keyed by `id`) says onto the result of `kind`
    with that id; scores, ranks and merged ids stay."""
    found = {row["id"]: row for row in rows}
    for r in results:
        row = found.get(r.id) if r.kind == kind else None
        if row:
            filled = result_from_row(kind, {**row, "score": r.score})
            r.name, r.description = filled.name, filled.description
            r.text, r.section, r.speaker_role = filled.text, filled.section, filled.speaker_role
            r.case, r.source, r.also_in = filled.case, filled.source, filled.also_in


def ranked_window(row: dict[str, Any]) -> SearchResult:
    """An excerpt window as ranked: id, score and what overlap merging needs (source, template
    field, span); :meth:`Searcher.hydrate` fills in the rest for the fused top."""
    source = SourceRef(id=row["source_id"], field=row["field"], start=row["start"], end=row["end"])
    return SearchResult(kind="excerpt", id=row["id"], score=float(row["score"]), source=source)
