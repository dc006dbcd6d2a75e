"""What each case and source can be filtered by, read in one go and matched in Python.

A search with a case filter (setting, sector, country/region, innovation type, CFIR domain, ERIC
cluster, outcome direction) needs the ids of the cases that pass it; the retrieval statements
then keep an item when one of those cases holds it (search/filters.py). Matching a filter in
Cypher read every case's context, claims and codes again for each new filter value (0.3-3 s at
100,000 excerpts, docs/benchmarks.md). Instead, `Facets` holds every case's filter values,
read once per graph version (`graph.versioned_cache`; ~0.7 s at 100,000 excerpts, then reused
until the next write), and any filter is matched against them in a few milliseconds, then
remembered for that version. The facets also hold each case's sources, barriers and approaches,
so a search knows up front which items the passing cases hold.

Matching rules (the same for every entry point): text filters match case-insensitively as
substrings (country also matches the region); a CFIR domain or ERIC cluster is given by id,
number (I..V, 1..9) or 4+ letters of its name, and a case has it when one of its live claims is
about a barrier, enabler or approach coded to it (a `CODED_AS` edge or a `coded_as` claim, CFIR
subconstructs counting for their domain); the outcome direction matches a reported outcome
exactly. Rejected claims never count.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from neo4j import Driver
from spreadgraph.graph.connection import read_tx
from spreadgraph.graph.versioned_cache import VersionedCache, graph_version
from spreadgraph.search.filters import CASE_FILTERS, SOURCE_FILTERS

T = TypeVar("T")
MEMO_SIZE = 512  # filters and filter combinations remembered per graph version (Facets.memo)
_LIVE = "cl.status <> 'rejected'"
_DOMAIN = "(:CfirConstruct)-[:PART_OF*0..2]->(:CfirConstruct)-[:IN_DOMAIN]->(d:CfirDomain)"
_CLUSTER = "(:EricStrategy)-[:IN_CLUSTER]->(k:EricCluster)"
CASE_FACETS = f"""
MATCH (c:Case)
RETURN c.id AS id, c.status AS status,
  [(c)-[:IN_CONTEXT]->(x:Context) | [x.setting, x.sector, x.country, x.region]] AS contexts,
  [(c)-[:ABOUT]->(i:Innovation) | i.type] AS types,
  COLLECT {{
    MATCH (c)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(:Barrier|Enabler)-[:CODED_AS]->{_DOMAIN}
    WHERE {_LIVE} RETURN d.id AS id
    UNION
    MATCH (c)-[:MAKES]->(cl:Claim {{kind: 'coded_as'}})-[:OBJECT]->{_DOMAIN} WHERE {_LIVE} RETURN d.id AS id
  }} AS domains,
  COLLECT {{
    MATCH (c)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(:Approach)-[:CODED_AS]->{_CLUSTER}
    WHERE {_LIVE} RETURN k.id AS id
    UNION
    MATCH (c)-[:MAKES]->(cl:Claim {{kind: 'coded_as'}})-[:OBJECT]->{_CLUSTER} WHERE {_LIVE} RETURN k.id AS id
  }} AS clusters,
  COLLECT {{
    MATCH (c)-[:MAKES]->(cl:Claim {{kind: 'reported_outcome'}})-[:SUBJECT]->(o:Outcome) WHERE {_LIVE}
    RETURN DISTINCT o.direction
  }} AS directions,
  [(c)-[:DESCRIBED_IN]->(s:Source) | s.id] AS sources,
  COLLECT {{
    MATCH (c)-[:MAKES]->(cl:Claim)-[:SUBJECT|OBJECT]->(b:Barrier) WHERE {_LIVE} RETURN DISTINCT b.id
  }} AS barriers,
  COLLECT {{
    MATCH (c)-[:MAKES]->(cl:Claim)-[:SUBJECT]->(a:Approach) WHERE {_LIVE} RETURN DISTINCT a.id
  }} AS approaches
"""
SOURCE_FACETS = """
MATCH (s:Source)
RETURN s.id AS id, s.source_type AS source_type, s.year AS year,
       NOT EXISTS { MATCH (:Source)-[:PREVIOUS_VERSION]->(s) } AS current
"""
CODES = """
MATCH (d:CfirDomain) RETURN 'cfir_domain' AS filter, d.id AS id, d.name AS name, d.number AS number
UNION ALL
MATCH (k:EricCluster)
RETURN 'eric_cluster' AS filter, k.id AS id, k.name AS name, toString(k.number) AS number
"""
UNITS = "MATCH (u:Sentence) RETURN count(u) AS units"


def _lower(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(v.lower() for v in values if v is not None)


@dataclass(frozen=True)
class CaseFacet:
    """One case's filter values, lower-cased (contexts: one tuple per context)."""

    id: str
    published: bool
    settings: tuple[str, ...]
    sectors: tuple[str, ...]
    places: tuple[str, ...]
    types: tuple[str, ...]
    codes: dict[str, frozenset[str]]  # "cfir_domain" / "eric_cluster" -> ids (lower case)
    directions: frozenset[str]
    sources: tuple[str, ...]  # the sources that describe the case
    barriers: tuple[str, ...]  # barriers its live claims are about (subject or object)
    approaches: tuple[str, ...]  # approaches its live claims are about (subject)

    def passes(self, name: str, value: str, codes: frozenset[str] | None = None) -> bool:
        """Whether the case passes one case filter (`codes`: the domain/cluster ids `value` names)."""
        texts = {"setting": self.settings, "sector": self.sectors, "country": self.places}
        if name in texts:
            return any(value in text for text in texts[name])
        if name == "innovation_type":
            return any(value in text for text in self.types)
        if name in ("cfir_domain", "eric_cluster"):
            return bool(codes and self.codes[name] & codes)
        if name == "outcome_direction":
            return value in self.directions
        raise ValueError(f"not a case filter: {name}")


@dataclass(frozen=True)
class SourceFacet:
    id: str
    source_type: str | None
    year: int | None
    current: bool

    def passes(self, values: dict[str, object]) -> bool:
        """Whether the source passes the set source filters (type, year range)."""
        kind, low, high = values.get("source_type"), values.get("year_from"), values.get("year_to")
        if not self.current or (kind is not None and (self.source_type or "").lower() != kind):
            return False
        return (low is None or (self.year is not None and self.year >= low)) and (
            high is None or (self.year is not None and self.year <= high)
        )


@dataclass(frozen=True)
class Facets:
    cases: tuple[CaseFacet, ...]
    sources: tuple[SourceFacet, ...]
    code_names: dict[str, tuple[tuple[str, str, str], ...]]  # filter -> (id, name, number), lower case
    units: int
    _memo: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, kept with these facets (so for this graph version) under `key`: matching
        a filter against every case and collecting their items took 5-9 ms of Python per search
        at 100,000 excerpts, and searches repeat filters. The last :data:`MEMO_SIZE` keys are kept."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return value

    def codes_named(self, name: str, value: str) -> frozenset[str]:
        """Ids of the CFIR domains or ERIC clusters a filter value names: id, number, or 4+
        letters of the name (short values such as the numeral "I" must not match every name)."""
        return frozenset(
            id_
            for id_, title, number in self.code_names.get(name, ())
            if value in (id_, number) or (len(value) > 3 and value in title)
        )

    def passing_cases(self, values: dict[str, object], published_only: bool = True) -> list[CaseFacet]:
        """The cases that pass every filter in `values` (lower-cased filter values): each case
        filter, and with a source filter, described in a source that passes it. Each filter's
        cases are remembered (:meth:`memo`), so a new combination of known filters is a set
        intersection."""
        sets = [self.memo(("visible", published_only), lambda: self._visible(published_only))]
        for name, value in sorted((n, str(v)) for n, v in values.items() if n in CASE_FILTERS):
            sets.append(self.memo(("case", name, value), lambda n=name, v=value: self._one(n, v)))
        given = tuple(sorted((n, v) for n, v in values.items() if n in SOURCE_FILTERS))
        if given:
            sets.append(self.memo(("described", given), lambda: self._described(dict(given))))
        passing = frozenset.intersection(*sets)
        return [case for case in self.cases if case.id in passing]

    def _visible(self, published_only: bool) -> frozenset[str]:
        """Ids of the published cases (of every case when `published_only` is off)."""
        return frozenset(case.id for case in self.cases if case.published or not published_only)

    def _one(self, name: str, value: str) -> frozenset[str]:
        """Ids of the cases that pass one case filter, whatever their review state."""
        codes = self.codes_named(name, value) if name in CODE_FILTERS else None
        return frozenset(case.id for case in self.cases if case.passes(name, value, codes))

    def _described(self, values: dict[str, object]) -> frozenset[str]:
        """Ids of the cases described in a source that passes the source filters in `values`."""
        sources = self.passing_sources(values)
        return frozenset(case.id for case in self.cases if not sources.isdisjoint(case.sources))

    def passing_sources(self, values: dict[str, object]) -> set[str]:
        """Ids of the current sources that pass the source filters in `values`."""
        return {source.id for source in self.sources if source.passes(values)}


CODE_FILTERS = frozenset(("cfir_domain", "eric_cluster"))
_CACHE = VersionedCache(ttl=600.0, size=8)


def read_facets(driver: Driver | None = None) -> Facets:
    """Every case's and source's filter values, read now (see `facets` for the cached ones)."""

    def work(tx: object) -> Facets:
        cases = tuple(
            CaseFacet(
                id=row["id"],
                published=row["status"] == "published",
                settings=_lower(ctx[0] for ctx in row["contexts"]),
                sectors=_lower(ctx[1] for ctx in row["contexts"]),
                places=_lower(place for ctx in row["contexts"] for place in ctx[2:]),
                types=_lower(row["types"]),
                codes={
                    "cfir_domain": frozenset(_lower(row["domains"])),
                    "eric_cluster": frozenset(_lower(row["clusters"])),
                },
                directions=frozenset(d for d in row["directions"] if d is not None),
                sources=tuple(row["sources"]),
                barriers=tuple(row["barriers"]),
                approaches=tuple(row["approaches"]),
            )
            for row in tx.run(CASE_FACETS)  # type: ignore[attr-defined]
        )
        sources = tuple(SourceFacet(**row.data()) for row in tx.run(SOURCE_FACETS))  # type: ignore[attr-defined]
        names: dict[str, list[tuple[str, str, str]]] = {}
        for row in tx.run(CODES):  # type: ignore[attr-defined]
            entry = tuple(str(row[key] or "").lower() for key in ("id", "name", "number"))
            names.setdefault(row["filter"], []).append(entry)  # type: ignore[arg-type]
        units = tx.run(UNITS).single()["units"]  # type: ignore[attr-defined]
        return Facets(cases, sources, {k: tuple(v) for k, v in names.items()}, units)

    return read_tx(work, driver=driver)


def facets(driver: Driver | None) -> Facets:
    """The graph's facets, read again only after a write (or ten minutes)."""
    return _CACHE.get(id(driver), graph_version(driver), lambda: read_facets(driver))
