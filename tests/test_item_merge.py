"""Near-duplicate items collapse into one node with aliases (graph/item_merge.py): by name key and
calibrated name cosine, never across kinds or across vocabulary concepts, idempotent under
re-ingest in either order. All names are invented."""

from __future__ import annotations

import numpy as np
import yaml
from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.item_merge import NAME_COSINE, Item, consolidate_items, plan_merges
from spreadgraph.ingest.templates.template_ingest import ingest_bytes

from tests.conftest import wipe_data


def template(case_id: str, barrier: str, enabler: str | None = None) -> bytes:
    data = {
        "template_version": 1,
        "id": case_id,
        "title": f"Invented case {case_id}",
        "summary": "An invented case.",
        "period": "2020-2021",
        "spread_status": "spreading",
        "innovation": {"name": "Invented huddle", "type": "service model", "description": "A huddle."},
        "contexts": [{"setting": "wards", "sector": "NHS", "country": "England", "scale": "single site"}],
        "barriers": [{"name": barrier}],
        "enablers": [{"name": enabler}] if enabler else [],
        "contributor": {"name": "Test Person", "organisation": "Nowhere", "contact": "t@example.org"},
    }
    return yaml.safe_dump(data).encode()


ITEMS = """
MATCH (n:Barrier) RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.merged_ids AS merged,
       [(n)<-[:SUBJECT]-(:Claim)<-[:MAKES]-(c:Case) | c.id] AS cases ORDER BY id
"""


def _barriers(driver: Driver) -> list[dict]:
    return read(ITEMS, driver=driver)


def _vec(*xs: float) -> list[float]:
    v = np.asarray(xs, dtype=np.float32)
    return list(v / np.linalg.norm(v))


def test_name_key_merges_word_order_and_plurals() -> None:
    items = [
        Item("barrier:a", "Lack of staff time"),
        Item("barrier:b", "staff times, lack of"),
        Item("barrier:c", "x"),
    ]
    [(keep, others)] = plan_merges(items)
    assert keep.id == "barrier:a" and [o.id for o in others] == ["barrier:b"]


def test_cosine_merges_only_above_threshold_and_with_as_many_words() -> None:
    items = [
        Item("barrier:a", "rota churn"),
        Item("barrier:b", "roster churn"),
        Item("barrier:c", "rota churn at night"),
    ]
    close = _vec(1, 0.1, 0)
    vectors = {"rota churn": _vec(1, 0, 0), "roster churn": close, "rota churn at night": close}
    assert float(np.dot(vectors["rota churn"], close)) >= NAME_COSINE
    [(keep, others)] = plan_merges(items, vectors)
    assert (keep.id, [o.id for o in others]) == ("barrier:a", ["barrier:b"])  # the longer name stays apart
    far = {**vectors, "roster churn": _vec(1, 1, 0)}
    assert plan_merges(items, far) == []


def test_two_concepts_never_merge_and_the_concept_item_survives() -> None:
    items = [
        Item("barrier:x", "shortage of porters", concept="k1"),
        Item("barrier:y", "porters, shortage of", concept="k2"),
        Item("barrier:z", "porter shortage"),
    ]
    plan = plan_merges(items)
    assert len(plan) == 1
    keep, others = plan[0]
    assert keep.concept is not None and len(others) == 1 and others[0].id == "barrier:z"


def test_templates_in_either_order_end_in_one_item_with_aliases(graph: Driver) -> None:
    ends = []
    for order in (("a", "b"), ("b", "a")):
        wipe_data(graph)
        names = {"a": "Lack of staff time", "b": "Staff time, lack of"}
        for key in order:
            ingest_bytes(template(f"case-{key}", names[key]), f"{key}.yaml", driver=graph)
            consolidate_items(driver=graph)
        [item] = _barriers(graph)
        assert sorted(item["cases"]) == ["case:case-a", "case:case-b"]
        assert {item["name"], *item["aliases"]} == set(names.values())
        ends.append(item["id"])
    assert ends[0] == ends[1]  # the survivor does not depend on the order


def test_reingest_is_idempotent_and_resolves_by_the_kept_alias(graph: Driver) -> None:
    ingest_bytes(template("case-a", "Lack of staff time"), "a.yaml", driver=graph)
    ingest_bytes(template("case-b", "Staff time, lack of"), "b.yaml", driver=graph)
    consolidate_items(driver=graph)
    before = _barriers(graph)
    assert consolidate_items(driver=graph) == {}
    revised = template("case-b", "Staff time, lack of").replace(b"An invented case.", b"Revised.")
    assert ingest_bytes(revised, "b.yaml", driver=graph).action == "revised"
    after = _barriers(graph)
    assert [(r["id"], sorted(r["cases"])) for r in after] == [(r["id"], sorted(r["cases"])) for r in before]
    assert after[0]["merged"]


def test_kinds_never_merge(graph: Driver) -> None:
    ingest_bytes(template("case-a", "Local champions", enabler="Local champions"), "a.yaml", driver=graph)
    ingest_bytes(template("case-b", "Champions, local", enabler="Champion locals"), "b.yaml", driver=graph)
    consolidate_items(driver=graph)
    rows = read(
        "MATCH (n) WHERE n:Barrier OR n:Enabler RETURN labels(n)[0] AS label, count(n) AS n ORDER BY label",
        driver=graph,
    )
    assert [(r["label"], r["n"]) for r in rows] == [("Barrier", 1), ("Enabler", 1)]
