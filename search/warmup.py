"""Warming the search up: every statement shape a search can run, run before the first user.

`spreadgraph serve` calls :func:`warm_up` :data:`WARM_UP_ROUNDS` times at start-up.
"""

from __future__ import annotations

from spreadgraph.search import statements
from spreadgraph.search.answer_cypher import case_groups
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.query import prepare
from spreadgraph.search.results import SearchResult
from spreadgraph.search.retrieval import DEPTH, NODE_KINDS, Searcher
from spreadgraph.search.scope import Plan, Scope

#: Filters that give each statement shape: none, a case filter, a source filter (warm_up).
WARM_UP_SHAPES = (SearchFilters(), SearchFilters(setting="warm up"), SearchFilters(source_type="warm up"))
#: Neo4j recompiles a cached plan (its expressions to bytecode) on the plan's 10th use: measured at
#: 100,000 excerpts, the 10th or 11th run of a statement took 150-250 ms more than its neighbours,
#: and over a second under load. `serve` therefore runs every shape this many times at start-up.
WARM_UP_ROUNDS = 11
#: Queries for the warm-up rounds, in common words so that full text matches real rows too.
WARM_UP_TEXTS = (
    "staff training for a new service",
    "patients using a digital tool at home",
    "funding and leadership support in practices",
    "nurses and doctors working across teams",
)


def warm_up(searcher: Searcher, text: str = "warm up") -> None:
    """Run every statement shape a search can run once (without and with a case or a source
    filter, both excerpt plans, details and evidence for one and for several items, merged
    passages), so that no later search pays for a first plan (0.3-1 s each at 100,000
    excerpts); :data:`WARM_UP_ROUNDS` passes also get past Neo4j's recompilation."""
    vector, lucene = searcher.encode(text), prepare(text).lucene
    for filters in WARM_UP_SHAPES:
        scope = Scope((), 0.5, 1) if filters.lists_cases else Scope(None, 0.5, 1)
        for plan in (Plan(False, 400), Plan(True, 1)):
            for retriever in ("vector", "fulltext") + (("passage",) if searcher.lexical_weighting else ()):
                searcher.units(retriever, vector, lucene, filters, DEPTH, plan, scope)
        searcher.read(statements.UNIT_TEXT, {"id": "warm up"})
        searcher.read(case_groups(filters.case_predicate()), {"ids": ["warm up"], **scope.params(filters)})
        lists = [(kind, retriever) for kind in NODE_KINDS for retriever in ("vector", "fulltext")]
        searcher.node_lists(lists, vector, lucene, filters, DEPTH, scope)
        for many in (1, 2):  # Neo4j keys plans by list size, rounded up to a power of ten
            ids = [f"w{i}" for i in range(many)]
            items = [SearchResult(kind=k, id=i, score=0) for k in NODE_KINDS for i in ids]
            # excerpt windows with merged neighbours: one passage group, then several
            items += [SearchResult(kind="excerpt", id=i, score=0, merged=["w"]) for i in ids]
            searcher.hydrate(items, vector, filters, scope, ["warm up"] * 60 * many)
