"""Backup and restore of the corpus graph (the five corpus documents, ingested with extraction and
the real embedder): the fingerprint is equal after restore and search answers the same."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.backup import backup
from spreadgraph.graph.restore import restore
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.ingester import default_ingester
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.retrieval import Searcher

from spreadgraph.config import get_settings
from tests.conftest import migration_context, shared_path, wipe_data

FILES = [
    "000_94095633da63640a.txt",
    "001_ab4c8c8d19656e41.txt",
    "002_c2902d1168a9bae5.txt",
    "003_a6bfc2fa0d36ede4.txt",
    "004_5b3818299aab1315.txt",
]
QUERIES = [
    "staff had no time to attend training",
    "peer coaching helped teams start",
    "leadership support for spreading the programme",
]
EVERYTHING = SearchFilters(published_only=False)


def _answers(driver: Driver, embedder: object) -> list[list[tuple[str, str]]]:
    searcher = Searcher(driver, embedder=embedder)
    answers = []
    for query in QUERIES:
        response = searcher.search(query, limit=10, filters=EVERYTHING)
        answers.append([(r.kind, r.id) for r in [*response.results, *response.items]])
    return answers


def test_the_corpus_graph_round_trips_by_fingerprint_and_search(graph: Driver, tmp_path: Path) -> None:
    corpus = shared_path("corpus")
    ingester = default_ingester()
    done = dict(ingester.ingest_many([corpus / name for name in FILES]))
    assert not [error for error in done.values() if isinstance(error, Exception)]
    before, answers = fingerprint(graph), _answers(graph, ingester.embedder)
    assert all(answers), "every query finds something in the corpus graph"

    file = tmp_path / "corpus.jsonl.gz"
    header = backup(graph, file)
    assert header["fingerprint"]["checksum"] == before.checksum
    wipe_data(graph)
    assert fingerprint(graph) != before
    restore(graph, file, migration_context(get_settings()))
    assert fingerprint(graph) == before
    assert _answers(graph, ingester.embedder) == answers
