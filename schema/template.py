"""The case template a contributor fills in, declared once as pydantic models.

`schema/case-template.schema.json` is generated from `CaseTemplate` (`python -m
spreadgraph.schema.template_schema`); the validator, the graph writer and the API all use these
models. Cross-field rules that need the taxonomies (CFIR/ERIC names) or the whole case (links
must name listed approaches and barriers) live in `spreadgraph.ingest.templates.checks`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator
from spreadgraph.schema import vocab
from spreadgraph.schema.names import normalise_name

TEMPLATE_VERSION = 1


def contributor_key(name: str, contact: str) -> str:
    """A contributor's stable id: their name's slug and a short hash of the contact, so two people
    of one name stay apart and the id (shown on public pages) never carries an e-mail address."""
    base = re.sub(r"[^a-z0-9]+", "-", normalise_name(name)).strip("-")[:60] or "anonymous"
    contact = normalise_name(contact)
    digest = hashlib.sha256(contact.encode()).hexdigest()[:10] if contact else ""
    return f"contributor:{base}-{digest}" if digest else f"contributor:{base}"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PartialDate = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"),
]
CaseId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,79}$")]

SpreadStatus = Literal["piloted", "spreading", "sustained", "stopped"]
AdoptionStatus = Literal["planned", "piloting", "adopted", "sustained", "stopped"]
Scale = Literal["single site", "multi-site", "regional", "national", "international"]
LinkEffect = Literal["addressed", "partly addressed", "did not address", "caused"]
Direction = Literal["improved", "worsened", "no change", "mixed", "unclear"]
Strength = Literal["strong", "moderate", "weak", "anecdotal"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        """An optional field left as "" in the template counts as not given."""
        if not isinstance(data, dict):
            return data
        return {
            key: value
            for key, value in data.items()
            if not (
                isinstance(value, str)
                and not value.strip()
                and key in cls.model_fields
                and not cls.model_fields[key].is_required()
            )
        }


class AdoptionRecord(_Part):
    """Adoption at one site, including sites that stopped or never started."""

    site: Name = Field(description="Site or organisation name.")
    status: AdoptionStatus = Field(description="planned | piloting | adopted | sustained | stopped")
    started: PartialDate | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    ended: PartialDate | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    reason: Text | None = Field(None, description="Why it stopped (required when status is 'stopped').")


class InnovationPart(_Part):
    """The thing being spread."""

    name: Name
    type: Name = Field(description="e.g. digital tool, care pathway, training, service model.")
    description: Text
    aliases: list[Name] = Field(default_factory=list, description="Other names for the same innovation.")


class ContextPart(_Part):
    """Where the case happened."""

    setting: Name = Field(description="e.g. primary care, acute hospital, hospice.")
    sector: Name | None = Field(None, description="e.g. NHS, voluntary sector, US health system.")
    country: Name
    region: Name | None = None
    scale: Scale
    organisations: list[Name] = Field(default_factory=list)


class ApproachPart(_Part):
    """Something people did to spread or adopt the innovation."""

    name: Name = Field(description="Short name; the same approach in another case should use the same name.")
    description: Text | None = None
    eric: Name | None = Field(None, description="ERIC strategy name or number (optional).")
    aliases: list[Name] = Field(default_factory=list)


class FactorPart(_Part):
    """A barrier or an enabler the case met."""

    name: Name = Field(description="Short name; the same barrier in another case should use the same name.")
    description: Text | None = None
    cfir: Name | None = Field(None, description="CFIR 2.0 construct or subconstruct name (optional).")
    aliases: list[Name] = Field(default_factory=list)


class LinkPart(_Part):
    """How an approach bore on a barrier."""

    approach: Name = Field(description="Name of an approach listed under `approaches`.")
    barrier: Name = Field(description="Name of a barrier listed under `barriers`.")
    effect: LinkEffect
    note: Text | None = None


class OutcomePart(_Part):
    """A measured or reported result."""

    measure: Name
    value: Text
    direction: Direction
    evidence: Strength = Field(description="Strength of the evidence: strong | moderate | weak | anecdotal.")


class ExcerptPart(_Part):
    """A quote (or a short paraphrase, marked as such) from someone involved."""

    quote: Text
    speaker_role: Name = Field(description="Role, never a name, e.g. 'practice nurse'.")
    paraphrase: bool = Field(False, description="True when this is a paraphrase, not verbatim words.")
    de_identified: bool = Field(description="The speaker cannot be identified from the quote.")
    consent: bool = Field(False, description="The speaker agreed to the quote being shared.")
    source: int | None = Field(None, ge=1, description="Number of the entry under `sources` it comes from.")
    section: Name | None = Field(None, description="Section of that source.")


class SourcePart(_Part):
    """A document that describes the case."""

    citation: Text
    link: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    section: Name | None = Field(None, description="Section(s) of the document the case draws on.")


class ContributorPart(_Part):
    """Who is submitting this case."""

    name: Name
    organisation: Name | None = None
    contact: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)] = Field(
        description="E-mail or other contact, shown only to reviewers."
    )


class CaseTemplate(_Part):
    """One spread or adoption case, as a contributor describes it.

    Its CFIR and ERIC codes are resolved once, when the model is made (`codes`, `code_of`)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        title="spreadgraph case template",
        json_schema_extra={"$id": "https://spreadgraph.example/schema/case-template.schema.json"},
    )

    template_version: Literal[1] = Field(TEMPLATE_VERSION, description="Version of this template format.")
    id: CaseId | None = Field(
        None,
        description="Stable case id (lower-case letters, digits, hyphens). Keep it when you resubmit; "
        "when absent it is made from the title.",
    )
    title: Name = Field(description="A short name for the case.")
    summary: Text = Field(description="Two or three sentences.")
    narrative: Text | None = Field(None, description="The longer story, in Markdown.")
    period: Name = Field(description="e.g. 2016-2019.")
    spread_status: SpreadStatus
    innovation: InnovationPart
    contexts: list[ContextPart] = Field(min_length=1, description="Where it happened (at least one).")
    adoptions: list[AdoptionRecord] = Field(
        default_factory=list, description="One per site, including sites that stopped or never started."
    )
    approaches: list[ApproachPart] = Field(
        default_factory=list, description="What people did to spread or adopt it."
    )
    barriers: list[FactorPart] = Field(default_factory=list, description="What got in the way.")
    enablers: list[FactorPart] = Field(default_factory=list, description="What helped.")
    links: list[LinkPart] = Field(default_factory=list, description="How an approach bore on a barrier.")
    outcomes: list[OutcomePart] = Field(default_factory=list, description="What changed, and how we know.")
    lessons: list[Text] = Field(default_factory=list, description="What others should know, one per entry.")
    excerpts: list[ExcerptPart] = Field(default_factory=list, description="Short quotes; never names.")
    sources: list[SourcePart] = Field(default_factory=list, description="Documents describing the case.")
    contributor: ContributorPart
    review_by: dt.date | None = Field(
        None, description="When this case should be checked again (YYYY-MM-DD)."
    )

    _codes: dict[str, vocab.CodedField] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _resolve_codes(self) -> CaseTemplate:
        """Each coded field resolved to its taxonomy id (None when unknown: the checks report it)."""
        data = self.model_dump(include={section for section, _, _ in vocab.CODED_FIELDS})
        self._codes = {f.path: f for f in vocab.coded_fields(data)}
        return self

    @property
    def coded(self) -> list[vocab.CodedField]:
        """Every coded field ('barriers[1].cfir', ...) with the name given and the id it resolved to."""
        return list(self._codes.values())

    def code_of(self, path: str) -> str | None:
        """The taxonomy id of the coded field at `path` (None when absent or unknown)."""
        found = self._codes.get(path)
        return found.code if found else None
