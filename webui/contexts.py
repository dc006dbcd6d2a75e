"""Typed page contexts: each page builds one of these; it is the JSON twin and the template's input."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field
from spreadgraph.search.results import CaseRef, SearchResult, SourceRef
from spreadgraph.search.what_worked import WhatWorked
from spreadgraph.webui.render import href, source_href

PAGE_KINDS = {"Barrier": "barriers", "Approach": "approaches", "Innovation": "innovations"}
NODE_PAGES = {**PAGE_KINDS, "Case": "cases", "Source": "sources"}


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ClaimEvidence(Model):
    """What a claim rests on: a quoted excerpt (with its span) or a source's template field."""

    kind: Literal["excerpt", "source"]
    id: str
    text: str | None = None
    start: int | None = None
    end: int | None = None
    speaker_role: str | None = None
    attribution: str | None = None
    source_id: str | None = None
    source_title: str | None = None
    field: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str | None:
        if not self.source_id:
            return None
        return source_href(self.source_id, self.id, self.kind == "excerpt" and self.start is not None)


class Claim(Model):
    id: str
    kind: str
    status: str | None = None
    method: str | None = None
    asserted_by: str | None = None
    confidence: float | None = None
    field: str | None = None
    note: str | None = Field(None, description="the contributor's note on a link")
    evidence: list[ClaimEvidence] = Field(default_factory=list)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Claim:
        """A claim as the page queries return it: `claim` properties and its `evidence` list."""
        return cls(**row["claim"], evidence=[e for e in row.get("evidence") or [] if e])


class ItemRef(Model):
    id: str
    name: str | None = None
    label: str | None = None
    description: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str | None:
        kind = PAGE_KINDS.get(self.label or "")
        return href(kind, self.id) if kind else None


class Code(Model):
    id: str
    name: str | None = None
    label: str | None = None
    kind: str | None = None
    group: str | None = None


class Finding(Model):
    """One barrier, enabler or approach a case reports, with its claim and taxonomy codes."""

    item: ItemRef
    claim: Claim
    codes: list[Code] = Field(default_factory=list)


class Link(Model):
    approach: ItemRef
    barrier: ItemRef
    effect: str
    claim: Claim


class OutcomeView(Model):
    measure: str | None = None
    value: str | None = None
    direction: str | None = None
    evidence_strength: str | None = None
    claim: Claim | None = None
    case: CaseLink | None = None


class LessonView(Model):
    text: str | None = None
    claim: Claim


class CaseLink(CaseRef):
    """A case as the pages list it, with its page."""

    model_config = ConfigDict(extra="ignore")
    spread_status: str | None = None
    period: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str:
        return href("cases", self.id)


class SourceLink(SourceRef):
    """A source as the pages list it, with its page."""

    model_config = ConfigDict(extra="ignore")
    version: int | None = None
    url: str | None = Field(None, description="where a cited source can be read (http/https)")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str:
        return href("sources", self.id)


class ExcerptView(Model):
    id: str
    text: str | None = None
    kind: str | None = None
    speaker_role: str | None = None
    attribution: str | None = None
    section: str | None = None
    start: int | None = None
    end: int | None = None
    source_id: str | None = None
    source_title: str | None = None
    paraphrase: bool | None = Field(None, description="the contributor's paraphrase, not verbatim")
    consent: bool | None = Field(None, description="the speaker agreed to the quote being shared")
    cases: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str | None:
        if not self.source_id:
            return None
        return source_href(self.source_id, self.id, self.start is not None)


class HomePage(Model):
    counts: dict[str, int]
    published_cases: int
    recent: list[dict[str, Any]]


class CasePage(Model):
    case: dict[str, Any]
    innovation: ItemRef | None = None
    contexts: list[dict[str, Any]] = Field(default_factory=list)
    adoptions: list[dict[str, Any]] = Field(default_factory=list)
    revisions: list[dict[str, Any]] = Field(default_factory=list)
    sources: list[SourceLink] = Field(default_factory=list)
    barriers: list[Finding] = Field(default_factory=list)
    enablers: list[Finding] = Field(default_factory=list)
    approaches: list[Finding] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    outcomes: list[OutcomeView] = Field(default_factory=list)
    lessons: list[LessonView] = Field(default_factory=list)
    excerpts: list[ExcerptView] = Field(default_factory=list)
    neighbourhood: Neighbourhood | None = None


class CaseClaim(Model):
    """A claim about an item, seen from the item's page: which case made it, with evidence."""

    case: CaseLink
    claim: Claim


class LinkGroup(Model):
    """All link claims between the page's item and one other item (approach or barrier)."""

    other: ItemRef
    claims: list[CaseClaim]
    effects: dict[str, int]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def evidence_count(self) -> int:
        return sum(len(c.claim.evidence) for c in self.claims)


class NeighbourNode(Model):
    """A node of the neighbourhood graph: the centre, or a neighbour and how it relates."""

    id: str
    label: str
    name: str
    relation: str = Field(description="centre | met | used | linked | about | described in")
    cases: int = Field(0, description="published cases behind the relation")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def href(self) -> str | None:
        kind = NODE_PAGES.get(self.label)
        return href(kind, self.id) if kind else None


class NeighbourEdge(Model):
    source: str
    target: str
    kind: str = Field(description="met | used | about | described in | addressed | partly addressed | ...")
    cases: int = 1


class Neighbourhood(Model):
    """A node and its neighbours (at most `LIMIT` per relation; `totals` counts them all)."""

    url: str = Field(description="this neighbourhood as JSON, for the graph view")
    nodes: list[NeighbourNode]
    edges: list[NeighbourEdge]
    totals: dict[str, int] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def groups(self) -> dict[str, list[NeighbourNode]]:
        """Neighbours by relation, for the list beside (or instead of) the drawing."""
        out: dict[str, list[NeighbourNode]] = {}
        for node in self.nodes[1:]:
            out.setdefault(node.relation, []).append(node)
        return out


class BarrierPage(Model):
    barrier: ItemRef
    codes: list[Code]
    cases: list[CaseClaim]
    approaches: list[LinkGroup]
    neighbourhood: Neighbourhood | None = None


class ApproachPage(Model):
    approach: ItemRef
    codes: list[Code]
    cases: list[CaseClaim]
    addressed: list[LinkGroup]
    outcomes: list[OutcomeView]
    neighbourhood: Neighbourhood | None = None


class Tally(Model):
    item: ItemRef
    cases: int


class InnovationPage(Model):
    innovation: ItemRef
    type: str | None = None
    aliases: list[str] = Field(default_factory=list)
    cases: list[dict[str, Any]]
    barriers: list[Tally]
    approaches: list[Tally]
    enablers: list[Tally]


class Segment(Model):
    text: str
    excerpts: list[str] = Field(default_factory=list)
    anchors: list[str] = Field(default_factory=list)


class SourcePage(Model):
    source: dict[str, Any]
    previous: list[dict[str, Any]] = Field(default_factory=list)
    next: list[dict[str, Any]] = Field(default_factory=list)
    cases: list[CaseLink] = Field(default_factory=list)
    excerpts: list[ExcerptView] = Field(default_factory=list)
    unplaced: int = 0
    segments: list[Segment] = Field(default_factory=list, exclude=True)


OutcomeView.model_rebuild()
CasePage.model_rebuild()


# -- search and what-worked pages ---------------------------------------------------------------


class SearchForm(Model):
    """What the visitor asked: the query, result kinds, limit and the set filters."""

    q: str = ""
    kinds: list[str] = Field(default_factory=list)
    limit: int = 10
    filters: dict[str, Any] = Field(default_factory=dict)


class Choices(Model):
    """Values offered by the form: from the published cases and the taxonomies."""

    settings: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    innovation_types: list[str] = Field(default_factory=list)
    source_types: list[str] = Field(default_factory=list)
    cfir_domains: list[list[str]] = Field(default_factory=list, description="[id, 'number. name']")
    eric_clusters: list[list[str]] = Field(default_factory=list, description="[id, 'number. name']")
    outcome_directions: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)


class ItemLink(Model):
    """An item a passage evidences, with its page."""

    kind: str
    id: str
    name: str | None = None
    status: str | None = None
    href: str | None = None


class ResultView(Model):
    """One search result with the pages it leads to."""

    result: SearchResult
    page_href: str | None = Field(None, description="the case, barrier or approach page")
    case_href: str | None = None
    source_href: str | None = Field(None, description="the source page at the highlighted excerpt")
    source_label: str | None = Field(None, description="title, file name or template id")
    about: list[ItemLink] = Field(default_factory=list, description="items the passage evidences")
    also_in: list[SourceLink] = Field(
        default_factory=list, description="other sources quoting the same words, with their pages"
    )


class SearchPage(Model):
    form: SearchForm
    choices: Choices
    query: str = ""
    notes: list[str] = Field(default_factory=list)
    searched: bool = False
    results: list[ResultView] = Field(default_factory=list, description="passages, best first")
    items: list[ResultView] = Field(
        default_factory=list, description="matching cases, barriers and approaches; unevidenced last"
    )


class WhatWorkedPage(Model):
    form: SearchForm
    choices: Choices
    answer: WhatWorked | None = None
    source_links: dict[str, str] = Field(
        default_factory=dict, description="excerpt result or evidence id -> source page at its excerpt"
    )
