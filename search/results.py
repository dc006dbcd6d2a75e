"""What a search answers: results with their case, source and evidence span (the API and the pages
share these models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class CaseRef(BaseModel):
    id: str
    title: str | None = None
    status: str | None = None


class SourceRef(BaseModel):
    id: str
    title: str | None = None
    file_name: str | None = None
    kind: str | None = None
    source_type: str | None = None
    year: int | None = None
    template_id: str | None = Field(None, description="case template id, for template sources")
    start: int | None = Field(None, description="evidence span start in the source text")
    end: int | None = None
    field: str | None = Field(None, description="template field of the quote, for template sources")


class SearchResult(BaseModel):
    kind: str
    id: str
    score: float
    text: str | None = Field(None, description="evidence: the best sentence window")
    name: str | None = None
    description: str | None = None
    section: str | None = None
    speaker_role: str | None = None
    case: CaseRef | None = None
    source: SourceRef | None = None
    ranks: dict[str, int] = Field(default_factory=dict, description="rank in each retriever's list")
    merged: list[str] = Field(
        default_factory=list, description="ids of overlapping windows merged into this passage"
    )


class SearchResponse(BaseModel):
    query: str
    mode: str
    limit: int
    filters: dict[str, Any]
    notes: list[str] = Field(default_factory=list)
    results: list[SearchResult] = Field(default_factory=list)
