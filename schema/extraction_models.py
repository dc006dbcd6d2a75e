"""Result models of the extractor: sentences with spans, item findings, link findings.

Spans (`start`, `end`) index `ParsedDocument.text`. Every finding is a *suggestion*: the graph
writer turns it into a Claim with status 'suggested' linked to the excerpt it came from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FindingKind = Literal["barrier", "enabler", "approach", "outcome", "lesson"]
LinkRelation = Literal["addressed", "partly_addressed", "did_not_address", "caused"]
KINDS: tuple[FindingKind, ...] = ("barrier", "enabler", "approach", "outcome", "lesson")

# Finding kind -> the Claim kind the writer records (schema/model.py CLAIM_KINDS).
CLAIM_KIND: dict[str, str] = {
    "barrier": "met_barrier",
    "enabler": "had_enabler",
    "approach": "used_approach",
    "outcome": "reported_outcome",
    "lesson": "learned_lesson",
}


class Sentence(BaseModel):
    """One sentence of an excerpt, with its span in the document text."""

    index: int
    text: str
    start: int
    end: int
    excerpt_index: int = Field(description="position of the source excerpt in ParsedDocument.excerpts")
    excerpt_kind: str = "passage"
    section: str | None = None
    case_key: str | None = None
    speaker_role: str | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


class Code(BaseModel):
    """A taxonomy code suggested for a finding: CFIR 2.0 construct or ERIC strategy."""

    scheme: Literal["cfir2", "eric"]
    id: str
    name: str
    similarity: float


class Finding(BaseModel):
    """A suggested barrier, enabler, approach, outcome or lesson, evidenced by a sentence window."""

    kind: FindingKind
    name: str = Field(description="short canonical name, derived without an LLM")
    text: str = Field(description="the evidence: one sentence or a short window of sentences")
    start: int
    end: int
    sentence_index: int = Field(description="index of the sentence that scored (the window's seed)")
    sentences: int = Field(default=1, description="sentences in the evidence window")
    excerpt_index: int
    case_key: str | None = None
    speaker_role: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    codes: list[Code] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list, description="cue phrases that fired")
    extractor: str
    extractor_version: str
    status: Literal["suggested"] = "suggested"

    @property
    def claim_kind(self) -> str:
        return CLAIM_KIND[self.kind]


class LinkFinding(BaseModel):
    """A suggested approach -> barrier link stated in one sentence."""

    relation: LinkRelation
    approach: str = Field(description="canonical name of the approach")
    barrier: str = Field(description="canonical name of the barrier")
    text: str
    start: int
    end: int
    sentence_index: int
    excerpt_index: int
    case_key: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    cue: str
    extractor: str
    extractor_version: str
    status: Literal["suggested"] = "suggested"

    @property
    def claim_kind(self) -> str:
        return self.relation


class Extraction(BaseModel):
    """What an extractor returns for one document; `sentences` align with the vector cache keys."""

    file_name: str
    content_hash: str
    words: int
    findings: list[Finding] = Field(default_factory=list)
    links: list[LinkFinding] = Field(default_factory=list)
    sentences: list[Sentence] = Field(default_factory=list)
    extractor: str
    extractor_version: str

    @property
    def items_per_1000_words(self) -> float:
        return 1000 * len(self.findings) / self.words if self.words else 0.0
