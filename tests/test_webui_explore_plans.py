"""The Cypher behind the overview, the neighbourhood graph, item pages and the search links is planned
without cartesian products or all-node scans (EXPLAIN against the real Neo4j, migrated schema),
so its cost follows the nodes it touches rather than the size of the graph."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver
from spreadgraph.graph import neighbourhood, overview_queries, pages, versioned_cache

LINKS = pages.LINK_KINDS
STATEMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "cfir by domain": (overview_queries.CFIR_BY_DOMAIN, {}),
    "cfir by construct": (overview_queries.CFIR_BY_CONSTRUCT, {}),
    "uncoded barriers": (overview_queries.UNCODED, {}),
    "top barriers": (overview_queries.TOP_BARRIERS, {"limit": 12}),
    "map cells": (
        overview_queries.CELLS,
        {"barriers": ["barrier:a", "barrier:b"], "kinds": overview_queries.MAP_KINDS},
    ),
    "top approaches": (overview_queries.TOP_APPROACHES, {"limit": 10}),
    "version": (versioned_cache.VERSION, {}),
    "case": (neighbourhood._CASE, {"id": "case:a"}),
    "case items": (neighbourhood._CASE_ITEMS, {"id": "case:a"}),
    "case links": (neighbourhood._CASE_LINKS, {"id": "case:a", "kinds": LINKS}),
    **{
        f"{label} cases": (neighbourhood._ITEM_CASES[label], {"id": "x", "kind": "met_barrier", "limit": 25})
        for label in ("Barrier", "Approach")
    },
    **{
        f"{label} links": (neighbourhood._ITEM_LINKS[label], {"id": "x", "kinds": LINKS})
        for label in ("Barrier", "Approach")
    },
    **{
        f"{label} page": (pages._ITEM[label], {"id": "x", "unpublished": False})
        for label in pages.ITEM_LABELS
    },
    **{
        f"{label} page claims": (
            pages._ITEM_CLAIMS[label],
            {"id": "x", "kinds": ["met_barrier"], "unpublished": False},
        )
        for label in ("Barrier", "Approach")
    },
}
BAD = {"CartesianProduct", "AllNodesScan"}


def operators(plan: dict[str, Any]) -> set[str]:
    found = {str(plan.get("operatorType", "")).split("@")[0]}
    for child in plan.get("children", []):
        found |= operators(child)
    return found


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement_plan_has_no_cartesian_product_or_all_nodes_scan(migrated: Driver, name: str) -> None:
    statement, params = STATEMENTS[name]
    with migrated.session() as session:
        summary = session.run("EXPLAIN " + statement, params).consume()
    used = operators(summary.plan)
    assert not used & BAD, (name, sorted(used))
