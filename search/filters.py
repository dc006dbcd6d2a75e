"""Search filters and the Cypher predicate they become.

Filters apply to the *case* an item belongs to (its context, innovation, barriers, approaches,
outcomes) and to the *source* it was read from (type, year). The predicate is assembled from
fixed fragments, one per filter that is set; the values are always query parameters, never
formatted into the text. Text filters (setting, sector, country/region, innovation type, CFIR
domain, ERIC cluster) match case-insensitively as substrings; outcome direction and source type
match exactly (lower case); year is a range.

Visibility (`published_only`, default on): an excerpt is shown when a published case holds it,
or when no case holds it and it comes from a document (published reports; template quotes
always belong to a case). Superseded document versions are never shown.

Variables the fragments expect: `e` (Excerpt) and `s` (its Source) for excerpt units; `c` (Case)
for case-level items.

Source fragments are always present, each guarded by `$f_source.x IS NULL OR ...`, and a search passes
the passing cases as a list (`$f_scope.case_ids`) rather than the case fragments: so the retrieval
statements' text depends only on *whether* a case filter is set, and Neo4j plans each of them
a handful of times instead of once per combination of filters (a first plan cost 0.5-1 s per
search at 100,000 excerpts; docs/benchmarks.md). Case fragments stay unguarded: they run once
per filter choice (matching the passing cases), and guarded they cost every case every pattern.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# A domain or cluster given by id, number, or (4+ letters) part of its name: short values such as
# the numeral "I" must not match every name that contains the letter.
_DOMAIN_IS = (
    "(size($f_cfir_domain) > 3 AND toLower(d.name) CONTAINS $f_cfir_domain"
    " OR toLower(d.number) = $f_cfir_domain OR toLower(d.id) = $f_cfir_domain)"
)
_CLUSTER_IS = (
    "(size($f_eric_cluster) > 3 AND toLower(k.name) CONTAINS $f_eric_cluster"
    " OR toString(k.number) = $f_eric_cluster OR toLower(k.id) = $f_eric_cluster)"
)


_CASE_FRAGMENTS: dict[str, str] = {
    "setting": "EXISTS { MATCH (c)-[:IN_CONTEXT]->(x:Context) WHERE toLower(x.setting) CONTAINS $f_setting }",
    "sector": "EXISTS { MATCH (c)-[:IN_CONTEXT]->(x:Context) WHERE toLower(x.sector) CONTAINS $f_sector }",
    "country": "EXISTS { MATCH (c)-[:IN_CONTEXT]->(x:Context) WHERE toLower(x.country) CONTAINS $f_country"
    " OR toLower(x.region) CONTAINS $f_country }",
    "innovation_type": "EXISTS { MATCH (c)-[:ABOUT]->(i:Innovation)"
    " WHERE toLower(i.type) CONTAINS $f_innovation_type }",
    "cfir_domain": "(EXISTS { MATCH (c)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(:Barrier|Enabler)"
    "-[:CODED_AS]->(:CfirConstruct)-[:PART_OF*0..2]->(:CfirConstruct)-[:IN_DOMAIN]->(d:CfirDomain)"
    f" WHERE cl.status <> 'rejected' AND {_DOMAIN_IS} }}"
    " OR EXISTS { MATCH (c)-[:MAKES]->(cl:Claim {kind: 'coded_as'})-[:OBJECT]->(:CfirConstruct)"
    "-[:PART_OF*0..2]->(:CfirConstruct)-[:IN_DOMAIN]->(d:CfirDomain)"
    f" WHERE cl.status <> 'rejected' AND {_DOMAIN_IS} }})",
    "eric_cluster": "(EXISTS { MATCH (c)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(:Approach)"
    "-[:CODED_AS]->(:EricStrategy)-[:IN_CLUSTER]->(k:EricCluster)"
    f" WHERE cl.status <> 'rejected' AND {_CLUSTER_IS} }}"
    " OR EXISTS { MATCH (c)-[:MAKES]->(cl:Claim {kind: 'coded_as'})-[:OBJECT]->(:EricStrategy)"
    f"-[:IN_CLUSTER]->(k:EricCluster) WHERE cl.status <> 'rejected' AND {_CLUSTER_IS} }})",
    "outcome_direction": "EXISTS { MATCH (c)-[:MAKES]->(cl:Claim {kind: 'reported_outcome'})"
    "-[:SUBJECT]->(o:Outcome) WHERE cl.status <> 'rejected' AND o.direction = $f_outcome_direction }",
}
CASE_FILTERS = frozenset(_CASE_FRAGMENTS)
_SOURCE_FRAGMENTS: dict[str, str] = {
    "source_type": "toLower(s.source_type) = $f_source.source_type",
    "year_from": "s.year >= $f_source.year_from",
    "year_to": "s.year <= $f_source.year_to",
}
_CURRENT = "NOT EXISTS { MATCH (:Source)-[:PREVIOUS_VERSION]->(s) }"
_VISIBLE = (
    "(EXISTS { MATCH (c:Case {status: 'published'})-[:HAS_EXCERPT]->(e) }"
    " OR (NOT EXISTS { MATCH (:Case)-[:HAS_EXCERPT]->(e) } AND s.kind <> 'template'))"
)


# The source filters travel in one map parameter, `$f_source`: Neo4j keys cached plans by the
# parameters' types, so a string-or-null, int-or-null parameter per filter made eight shapes.
_SOURCE_GUARDED = " AND ".join(
    f"($f_source.{name} IS NULL OR {fragment})" for name, fragment in _SOURCE_FRAGMENTS.items()
)
_NO_SOURCE_FILTER = " AND ".join(f"$f_source.{name} IS NULL" for name in _SOURCE_FRAGMENTS)


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
    year_from: int | None = Field(None, description="source published in or after this year")
    year_to: int | None = Field(None, description="source published in or before this year")
    published_only: bool = Field(True, description="hide items of pending or rejected cases")

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

    def params(self) -> dict[str, Any]:
        """The set case filters' parameters, and the source filters as one map (None = unset)."""
        values = self.values()
        return {
            **{f"f_{name}": value for name, value in values.items() if name in _CASE_FRAGMENTS},
            "f_source": {name: values.get(name) for name in _SOURCE_FRAGMENTS},
        }

    def case_condition(self, case_var: str = "c") -> str | None:
        """Predicate on a case (variable `c`), or None when no case filter is set."""
        parts = [_CASE_FRAGMENTS[name] for name in self.values() if name in _CASE_FRAGMENTS]
        if not parts:
            return None
        text = " AND ".join(parts)
        return text if case_var == "c" else text.replace("(c)", f"({case_var})")

    def excerpt_predicate(self, case_ids: bool = False) -> str:
        """Predicate over `e` (Excerpt) and `s` (Source): visibility, source filters, case filters.

        With `case_ids`, the case filters are the list `$f_scope.case_ids` of the cases that pass them
        (`case_where`, matched once per search): one hop per row instead of the filter patterns.
        """
        parts = [_CURRENT]
        case = self.case_condition()
        if self.published_only and not (case and case_ids):
            parts.append(_VISIBLE)
        parts.append(_SOURCE_GUARDED)
        if case and case_ids:
            parts.append("EXISTS { MATCH (c:Case)-[:HAS_EXCERPT]->(e) WHERE c.id IN $f_scope.case_ids }")
        elif case:
            status = "c.status = 'published' AND " if self.published_only else ""
            parts.append(f"EXISTS {{ MATCH (c:Case)-[:HAS_EXCERPT]->(e) WHERE {status}{case} }}")
        return " AND ".join(parts)

    # -- the pieces a filtered pool is matched from (search/cypher.py `pool_query`, exact scoring)

    @property
    def drives_from_cases(self) -> bool:
        """True when a case filter is set: the pool is matched from passing cases, not from units."""
        return self.case_condition() is not None

    def case_where(self) -> str:
        """Predicate over a case `c` whose excerpts make the pool (review state and case filters)."""
        parts = ["c.status = 'published'"] if self.published_only else []
        case = self.case_condition()
        if case:
            parts.append(case)
        return " AND ".join(parts) or "true"

    def source_where(self) -> str:
        """Predicate over a source `s`: current version and the source filters."""
        return f"{_CURRENT} AND {_SOURCE_GUARDED}"

    def visible_where(self) -> str:
        """Visibility of an excerpt `e` matched from its source (true when unpublished are shown)."""
        return _VISIBLE if self.published_only else "true"

    def case_predicate(self, case_ids: bool = False) -> str:
        """Predicate over a case `c`: review state, case filters, and source filters on its sources.

        With `case_ids`, review state and case filters are the list `$f_scope.case_ids` (see above).
        """
        case = self.case_condition()
        if case and case_ids:
            parts = ["c.id IN $f_scope.case_ids"]
        else:
            parts = ["c.status = 'published'"] if self.published_only else ["true"]
            if case:
                parts.append(case)
        described = f"EXISTS {{ MATCH (c)-[:DESCRIBED_IN]->(s:Source) WHERE {_SOURCE_GUARDED} }}"
        parts.append(f"({_NO_SOURCE_FILTER} OR {described})")
        return " AND ".join(parts)
