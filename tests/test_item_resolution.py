"""Which existing item a name resolves to when two items could claim it (real Neo4j)."""

from __future__ import annotations

import pytest
from neo4j import Driver
from spreadgraph.graph.item_resolution import ItemName, ItemResolver, resolve_items

_CREATE = "UNWIND $rows AS row CREATE (:Barrier {id: row.id, name: row.name, aliases: row.aliases})"


def _resolve_one(graph: Driver, name: str, bulk: bool) -> str:
    with graph.session() as session:
        if bulk:
            return session.execute_read(
                lambda tx: ItemResolver(tx, ("Barrier",)).resolve("Barrier", [ItemName("b", name)])[0]["b"]
            )
        return session.execute_write(lambda tx: resolve_items(tx, "Barrier", [ItemName("b", name)])[0]["b"])


@pytest.mark.parametrize("bulk", [False, True], ids=["per-case", "bulk"])
@pytest.mark.parametrize("order", ["smaller id stored first", "larger id stored first"])
def test_an_alias_two_items_share_goes_to_the_smaller_id_whatever_the_storage_order(
    graph: Driver, bulk: bool, order: str
) -> None:
    rows = [
        {"id": "barrier:aaa", "name": "Rota gaps", "aliases": ["shift cover"]},
        {"id": "barrier:zzz", "name": "Locum shortage", "aliases": ["shift cover"]},
    ]
    graph.execute_query(_CREATE, rows=rows if order.startswith("smaller") else rows[::-1])
    assert _resolve_one(graph, "Shift  Cover", bulk) == "barrier:aaa"


@pytest.mark.parametrize("bulk", [False, True], ids=["per-case", "bulk"])
def test_an_items_own_name_wins_over_another_items_alias(graph: Driver, bulk: bool) -> None:
    graph.execute_query(
        _CREATE,
        rows=[
            {"id": "barrier:aaa", "name": "Workforce gaps", "aliases": ["staff churn"]},
            {"id": "barrier:staff-churn", "name": "Staff churn", "aliases": []},
        ],
    )
    assert _resolve_one(graph, "staff churn", bulk) == "barrier:staff-churn"
    assert _resolve_one(graph, "workforce gaps", bulk) == "barrier:aaa"
