"""Extraction into the graph: suggested claims in the document's transaction, embeddings at ingest.

One real model per module; the fixture report below is invented for this test (no corpus text).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.ingester import DocumentIngester
from spreadgraph.ingest.extraction import CueEmbeddingExtractor
from spreadgraph.search.embedder import Embedder
from spreadgraph.search.indexing import reembed

pytestmark = pytest.mark.slow

REPORT = """# Spreading an inhaler-technique check across community pharmacies

Published 2023. A short evaluation written for the spreadgraph tests.

## What the network did

The network introduced a five-minute inhaler-technique check at the pharmacy counter. Pharmacists \
attended two evening training workshops where they practised the check on each other.

## What got in the way

The lack of a private consultation room got in the way of the check in the smaller shops. There \
was no locum cover either, so the check stopped whenever the regular pharmacist was away.

"On a Saturday with one pharmacist on, the check simply did not happen." (pharmacy manager, town centre branch)

## What helped

Strong leadership support from the local respiratory consultant helped win over doubtful pharmacists. \
A shared recording sheet made it easier for staff to pick up where a colleague had stopped.

The mentoring scheme helped newer pharmacists overcome their lack of confidence with spacer devices.

## Results and lessons

The check led to fewer reliever inhalers being issued over the winter. With hindsight, the network \
should have agreed locum cover before the launch.
"""

CLAIMS = """
MATCH (cl:Claim)
OPTIONAL MATCH (case:Case)-[:MAKES]->(cl)
OPTIONAL MATCH (cl)-[:SUBJECT]->(subject)
OPTIONAL MATCH (cl)-[:OBJECT]->(object)
OPTIONAL MATCH (cl)-[ev:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(s:Source)
RETURN cl {.*} AS claim, case.id AS case, labels(subject)[0] AS subject, labels(object)[0] AS object,
       ev.start AS start, ev.end AS end, e.start AS e_start, e.end AS e_end, s.text AS source
"""


@pytest.fixture(scope="module")
def ingester() -> Iterator[DocumentIngester]:
    """One model and one vector cache for the whole module."""
    yield DocumentIngester(Embedder("all-MiniLM-L6-v2"))


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "inhaler-check.md"
    path.write_text(REPORT, encoding="utf-8")
    return path


def test_findings_become_suggested_claims_linked_to_excerpts(
    graph: Driver, ingester: DocumentIngester, report: Path
) -> None:
    result = ingester.ingest(report, driver=graph)
    assert result.action == "created" and result.claims and result.claims.total
    rows = read(CLAIMS, driver=graph)  # one row per claim and evidence span
    assert len({r["claim"]["id"] for r in rows}) == result.claims.total
    kinds = {r["claim"]["kind"] for r in rows}
    assert {"met_barrier", "had_enabler", "used_approach"} <= kinds
    for row in rows:
        claim = row["claim"]
        assert claim["status"] == "suggested" and claim["method"] == "extractor", claim
        assert claim["asserted_by"] == CueEmbeddingExtractor.name
        assert claim["extractor_version"] == CueEmbeddingExtractor.version
        assert 0.0 <= claim["confidence"] <= 1.0
        assert row["case"] == "case:doc:inhaler-check:document"
        # The sentence span round-trips and sits inside the excerpt it is linked to.
        assert row["e_start"] <= row["start"] < row["end"] <= row["e_end"], claim["id"]
        sentence = row["source"][row["start"] : row["end"]]
        assert claim["id"].startswith(f"claim:{result.source_id}:{row['start']}-{row['end']}:")
        assert len(sentence.split()) >= 4
        expected = {
            "met_barrier": ("Barrier", None),
            "had_enabler": ("Enabler", None),
            "used_approach": ("Approach", None),
            "reported_outcome": ("Outcome", None),
            "learned_lesson": ("Lesson", None),
        }.get(claim["kind"])
        if expected:
            assert (row["subject"], row["object"]) == expected
        elif claim["kind"] == "coded_as":  # a finding that named no item: the case's coded evidence
            assert (row["subject"], row["object"]) in {(None, "CfirConstruct"), (None, "EricStrategy")}
            assert claim["finding"] in ("barrier", "enabler", "approach")
        else:
            assert (row["subject"], row["object"]) == ("Approach", "Barrier"), claim
    link = [r for r in rows if r["claim"]["kind"] in ("addressed", "partly_addressed")]
    assert link and "overcome" in link[0]["source"][link[0]["start"] : link[0]["end"]]
    names = read(
        "MATCH (a:Approach)<-[:SUBJECT]-(:Claim {kind: 'addressed'})-[:OBJECT]->(b:Barrier) "
        "RETURN a.name AS approach, b.name AS barrier",
        driver=graph,
    )
    assert names == [{"approach": "peer coaching", "barrier": "low staff confidence"}]
    barrier = read(
        "MATCH (c:Claim {kind: 'met_barrier'})-[:EVIDENCED_BY]->(e:Excerpt) RETURN e.text AS text",
        driver=graph,
    )
    assert any("private consultation room" in r["text"] for r in barrier)


def test_reingest_leaves_the_graph_fingerprint_identical(
    graph: Driver, ingester: DocumentIngester, report: Path
) -> None:
    ingester.ingest(report, driver=graph)
    before = fingerprint(graph)
    again = ingester.ingest(report, driver=graph)
    assert again.action == "unchanged"
    [(_, result)] = list(ingester.ingest_many([report], driver=graph))
    assert result.action == "unchanged"
    assert fingerprint(graph) == before


def test_excerpts_and_items_carry_unit_embeddings_the_vector_index_answers(
    graph: Driver, ingester: DocumentIngester, report: Path
) -> None:
    encoded = ingester.cache.encoded
    ingester.ingest(report, driver=graph)
    assert ingester.cache.encoded == encoded  # every text was already in the cache: nothing re-encoded
    rows = read(
        "MATCH (n) WHERE n:Excerpt OR n:Case OR n:Barrier OR n:Enabler OR n:Approach "
        "RETURN labels(n)[0] AS label, n.id AS id, n.embedding AS embedding",
        driver=graph,
    )
    assert {r["label"] for r in rows} == {"Excerpt", "Case", "Barrier", "Enabler", "Approach"}
    for row in rows:
        assert row["embedding"] is not None and len(row["embedding"]) == 384, row["id"]
        assert math.isclose(math.sqrt(sum(x * x for x in row["embedding"])), 1.0, abs_tol=1e-3)
    excerpt = next(r for r in rows if r["label"] == "Excerpt")
    search = (
        "CALL db.index.vector.queryNodes('excerpt_embedding', 3, $vector) YIELD node, score "
        "RETURN node.id AS id, node.text AS text, score"
    )
    own = read(search, {"vector": excerpt["embedding"]}, driver=graph)
    assert own[0]["id"] == excerpt["id"] and own[0]["score"] > 0.99
    query = ingester.embedder.encode(["no private room in small pharmacies for the check"])[0]
    hits = read(search, {"vector": query}, driver=graph)
    assert any("private consultation room" in hit["text"] for hit in hits)


def test_a_new_version_retires_the_old_suggestions(
    graph: Driver, ingester: DocumentIngester, report: Path
) -> None:
    first = ingester.ingest(report, driver=graph)
    report.write_text(REPORT + "\nA later note adds that the check is now part of every review.\n")
    second = ingester.ingest(report, driver=graph)
    assert second.action == "versioned"
    old = read(
        "MATCH (:Source {id: $id})<-[:FROM]-(:Excerpt)<-[:EVIDENCED_BY]-(cl:Claim) RETURN count(cl) AS n",
        {"id": first.source_id},
        driver=graph,
    )
    assert old == [{"n": 0}]
    total = read("MATCH (cl:Claim) RETURN count(cl) AS n", driver=graph)[0]["n"]
    assert total == second.claims.total


def test_ingest_builds_search_units_so_hybrid_search_finds_the_document(
    graph: Driver, ingester: DocumentIngester, report: Path
) -> None:
    from spreadgraph.search.retrieval import Searcher

    ingester.ingest(report, driver=graph)
    units = read("MATCH (s:Sentence) RETURN count(s) AS n, count(s.embedding) AS embedded", driver=graph)[0]
    assert units["n"] > 0 and units["embedded"] == units["n"]
    response = Searcher(graph, ingester.embedder).search("no private room in small pharmacies", limit=5)
    assert response.results, response
    assert any("private consultation room" in (r.text or "") for r in response.results)


def test_each_distinct_text_is_encoded_once_and_a_reingest_encodes_and_writes_nothing(
    graph: Driver, tmp_path: Path
) -> None:
    path = tmp_path / "spacer-check.md"
    path.write_text(REPORT.replace("inhaler", "spacer"), encoding="utf-8")
    embedder = Embedder("all-MiniLM-L6-v2")  # counts its own encode calls and texts
    ingester = DocumentIngester(embedder)
    [(_, result)] = list(ingester.ingest_many([path], driver=graph))
    assert result.action == "created"
    encoded = ingester.cache.encoded_texts()
    assert embedder.texts_encoded == len(encoded) == len(set(encoded))
    units = graph.execute_query(
        "MATCH (u:Sentence)-[:IN_EXCERPT]->(:Excerpt)-[:FROM]->(:Source {id: $id}) "
        "RETURN u.text AS text, u.embedding IS NOT NULL AS embedded",
        id=result.source_id,
    ).records
    assert units and all(r["embedded"] for r in units), "units are written with their vectors"
    assert {r["text"] for r in units} <= set(ingester.cache.texts())

    calls, before = embedder.calls, fingerprint(graph)
    [(_, again)] = list(ingester.ingest_many([path], driver=graph))
    assert again.action == "unchanged" and embedder.calls == calls and fingerprint(graph) == before
    fresh = Embedder("all-MiniLM-L6-v2")
    [(_, third)] = list(DocumentIngester(fresh).ingest_many([path], driver=graph))
    assert third.action == "unchanged" and fresh.calls == 0 and fingerprint(graph) == before


class RotatedModel:
    """Stands in for a different embedding model: the real vectors, rolled by one dimension."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def encode(self, texts: list[str]) -> list[list[float]]:
        return [v[1:] + v[:1] for v in self.embedder.encode(texts)]


def test_reembed_replaces_only_vectors_of_another_model_and_then_nothing(
    graph: Driver, ingester: DocumentIngester, report: Path
) -> None:
    list(ingester.ingest_many([report], driver=graph))
    labels = ["Case", "Barrier", "Enabler", "Approach"]
    same = reembed(graph, ingester.embedder, labels)
    assert sum(s["checked"] for s in same.values()) > 0
    assert sum(s["replaced"] for s in same.values()) == 0, "same model: nothing to replace"
    other = reembed(graph, RotatedModel(ingester.embedder), labels)
    assert all(s["replaced"] == s["checked"] for s in other.values())
    before = fingerprint(graph)
    again = reembed(graph, RotatedModel(ingester.embedder), labels)
    assert sum(s["replaced"] for s in again.values()) == 0 and fingerprint(graph) == before
    back = reembed(graph, ingester.embedder, labels)
    assert all(s["replaced"] == s["checked"] for s in back.values())
