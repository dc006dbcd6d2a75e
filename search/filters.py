"""Search filters and the Cypher predicates they become.

Filters apply to the *case* an item belongs to (its context, innovation, barriers, approaches,
outcomes) and to the *source* it was read from (type, year). Text filters (setting, sector,
country/region, innovation type, CFIR domain, ERIC cluster) match case-insensitively as
substrings; outcome direction and source type match exactly (lower case); year is a range.

Case filters are matched in Python against every case's facets (search/facets.py has the rules),
and the retrieval statements receive the passing cases as the list parameter `$case_ids`
(search/retrieval.py `Scope.params` explains its padding); with a source filter, a passing case
is also one described in a passing source. Case-level statements (case, barrier and approach
rankings and evidence, what-worked) only check those lists. Excerpt statements check the
source filters on the excerpt's own source: fixed Cypher fragments, always present and each
guarded (`$f_source_type = '' OR ...`). So a statement's text depends only on *whether* a
(case) filter is set, and Neo4j plans it a handful of times
instead of once per combination of filters (a first plan cost 0.5-1 s per search at 100,000
excerpts; docs/benchmarks.md). Filter values are parameters or Python values, never formatted
into Cypher.

Visibility (`published_only`, default on): an excerpt is shown when a published case holds it,
or when no case holds it and it comes from a document (published reports; template quotes
always belong to a case). Superseded document versions are never shown.

Variables the predicates expect: `e` (Excerpt) and `s` (its Source) for excerpt units; `c`
(Case) for case-level items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

#: Filters on the case an item belongs to: matched in Python against the cases' facets
#: (search/facets.py), and the passing cases reach Cypher as `$case_ids`.
CASE_FILTERS = frozenset(
    ("setting", "sector", "country", "innovation_type", "cfir_domain", "eric_cluster", "outcome_direction")
)
_SOURCE_FRAGMENTS: dict[str, str] = {
    "source_type": "toLower(s.source_type) = $f_source_type",
    "year_from": "s.year >= $f_year_from",
    "year_to": "s.year <= $f_year_to",
}
SOURCE_FILTERS = frozenset(_SOURCE_FRAGMENTS)
#: What an unset source filter is sent as: never null, so each parameter always has one type.
_UNSET: dict[str, Any] = {"source_type": "", "year_from": -1, "year_to": -1}
_CURRENT = "NOT EXISTS { MATCH (:Source)-[:PREVIOUS_VERSION]->(s) }"
_VISIBLE = (
    "(EXISTS { MATCH (c:Case {status: 'published'})-[:HAS_EXCERPT]->(e) }"
    " OR (NOT EXISTS { MATCH (:Case)-[:HAS_EXCERPT]->(e) } AND s.kind <> 'template'))"
)


# Neo4j keys cached plans by the parameters' types, nested ones included (null and integer
# differ; so do maps with other keys): a null for "unset" made a new plan per combination of
# source filters (0.3-1 s each time at 100,000 excerpts), so unset is an empty string or -1.
_IS_UNSET = {
    "source_type": "$f_source_type = ''",
    "year_from": "$f_year_from < 0",
    "year_to": "$f_year_to < 0",
}
_SOURCE_GUARDED = " AND ".join(
    f"({_IS_UNSET[name]} OR {fragment})" for name, fragment in _SOURCE_FRAGMENTS.items()
)
_PASSING = "c.id IN $case_ids"


class SearchFilters(BaseModel):
    """What a search may be restricted to; unset filters do not restrict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    setting: str | None = Field(None, description="case context setting contains, e.g. 'primary care'")
    sector: str | None = Field(None, description="case context sector contains, e.g. 'NHS'")
    country: str | None = Field(None, description="case context country or region contains")
    innovation_type: str | None = Field(None, description="innovation type contains, e.g. 'digital'")
    cfir_domain: str | None = Field(
        None, description="CFIR 2.0 domain of a coded barrier/enabler: id, I..V, or 4+ letters of its name"
    )
    eric_cluster: str | None = Field(
        None, description="ERIC cluster of a coded approach: id, 1..9, or 4+ letters of its name"
    )
    outcome_direction: str | None = Field(
        None, description="improved | worsened | no_change | mixed | unclear"
    )
    source_type: str | None = Field(None, description="article | evaluation | review | template | ...")
    year_from: int | None = Field(None, ge=0, le=9999, description="source published in or after this year")
    year_to: int | None = Field(None, ge=0, le=9999, description="source published in or before this year")
    published_only: bool = Field(True, description="hide items of pending or rejected cases")

    @classmethod
    def from_form(
        cls, raw: Mapping[str, Any], *, published_only: bool = True
    ) -> tuple[SearchFilters, list[str]]:
        """Filters from a lenient source (an HTML form): blank values are unset, and a value its
        field cannot take (a year that is not a number) is left unset with a note, not an error."""
        values: dict[str, Any] = {}
        notes: list[str] = []
        for name, field in cls.model_fields.items():
            value = raw.get(name)
            if name == "published_only" or value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                values[name] = TypeAdapter(Annotated[field.annotation, field]).validate_python(
                    value.strip() if isinstance(value, str) else value
                )
            except ValidationError:
                label, text = name.replace("_", " "), str(value)[:20]
                notes.append(f"'{text}' is not a valid {label} ({field.description}): not applied.")
        return cls(**values, published_only=published_only), notes

    def values(self) -> dict[str, Any]:
        """The set filters (published_only excluded), text values lower-cased and trimmed."""
        out: dict[str, Any] = {}
        for name, value in self.model_dump(exclude={"published_only"}).items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            out[name] = value.strip().lower() if isinstance(value, str) else value
        return out

    @property
    def selective(self) -> bool:
        """True when anything beyond the default visibility rule restricts results."""
        return bool(self.values()) or not self.published_only

    @property
    def lists_cases(self) -> bool:
        """True when any filter is set: case-level statements then check `$case_ids`, and node
        rankings `$barrier_ids` / `$approach_ids` (the items of the passing cases)."""
        return bool(self.values())

    @property
    def has_case_filter(self) -> bool:
        """True when a case filter is set: excerpt statements then check `$case_ids` too."""
        return any(name in CASE_FILTERS for name in self.values())

    def params(self) -> dict[str, Any]:
        """The source filters' parameters, each always set (unset: see `_UNSET`)."""
        values = self.values()
        return {f"f_{name}": values.get(name, unset) for name, unset in _UNSET.items()}

    def excerpt_predicate(self) -> str:
        """Predicate over `e` (Excerpt) and `s` (Source): visibility, source filters, case filters
        (a passing case holds the excerpt; passing cases are published unless published_only is off)."""
        parts = [_CURRENT]
        if self.has_case_filter:
            parts.append(f"EXISTS {{ MATCH (c:Case)-[:HAS_EXCERPT]->(e) WHERE {_PASSING} }}")
        elif self.published_only:
            parts.append(_VISIBLE)
        parts.append(_SOURCE_GUARDED)
        return " AND ".join(parts)

    def source_where(self) -> str:
        """Predicate over a source `s`: current version and the source filters."""
        return f"{_CURRENT} AND {_SOURCE_GUARDED}"

    def visible_where(self) -> str:
        """Visibility of an excerpt `e` matched from its source (true when unpublished are shown)."""
        return _VISIBLE if self.published_only else "true"

    def case_predicate(self) -> str:
        """Predicate over a case `c`: with any filter set, one of the passing cases (`$case_ids`:
        case and source filters matched against the facets, search/facets.py); else the review
        state."""
        if self.lists_cases:
            return _PASSING
        return "c.status = 'published'" if self.published_only else "true"
