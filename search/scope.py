"""What a search's filters let through (`Scope`) and how excerpt units are then fetched (`Plan`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spreadgraph.search import statements
from spreadgraph.search.facets import Facets
from spreadgraph.search.filters import SearchFilters

CASE_IDS_PAD = 1_001  # see Scope.params
ITEM_IDS_PAD = 101  # barriers and approaches are fewer than cases


@dataclass(frozen=True)
class Scope:
    """What the filters let through: the passing cases' ids and the items (barriers, approaches)
    their live claims are about (with any filter set), and the estimated share of search units
    that pass."""

    case_ids: tuple[str, ...] | None = None  # sorted
    share: float = 1.0
    units: int = 0
    barrier_ids: tuple[str, ...] = ()
    approach_ids: tuple[str, ...] = ()

    def params(self, filters: SearchFilters) -> dict[str, Any]:
        """The statements' filter parameters: the source filters', and with any filter set
        `$case_ids`, `$barrier_ids` and `$approach_ids`.

        Each is a top-level list (Neo4j then checks `c.id IN $case_ids` against a hash set built
        once, where a list inside a map was scanned for every row, and a map of ids was planned
        again for every new set of keys). Neo4j also keys cached plans by a list's size rounded
        up to a power of ten, so each list is padded with empty ids (never a node's) to at least
        :data:`CASE_IDS_PAD` (:data:`ITEM_IDS_PAD` for barriers and approaches): one plan per
        statement for graphs of up to 10,000 cases and 1,000 barriers and approaches of each kind.
        """
        if self.case_ids is None:
            return filters.params()
        return {
            **filters.params(),
            "case_ids": statements.padded(list(self.case_ids), CASE_IDS_PAD),
            "barrier_ids": statements.padded(list(self.barrier_ids), ITEM_IDS_PAD),
            "approach_ids": statements.padded(list(self.approach_ids), ITEM_IDS_PAD),
        }


@dataclass(frozen=True)
class Plan:
    """How excerpt units are fetched under the filters: exact scoring of a pool, or the index."""

    exact: bool
    candidates: int


def scope_of(found: Facets, filters: SearchFilters) -> Scope:
    """The scope of `filters` (at least one set) matched against `found` (see `Searcher.scope`)."""
    values = filters.values()
    cases = found.passing_cases(values, filters.published_only)
    if filters.has_case_filter:
        share = len(cases) / max(len(found.cases), 1)
    else:  # the excerpts of sources without a case count too
        share = len(found.passing_sources(values)) / max(len(found.sources), 1)
    return Scope(
        case_ids=tuple(sorted(case.id for case in cases)),
        share=share,
        units=found.units,
        barrier_ids=tuple(sorted({b for case in cases for b in case.barriers})),
        approach_ids=tuple(sorted({a for case in cases for a in case.approaches})),
    )
