"""A real case described twice (a template and a document, linked SAME_AS) is one search result."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver
from spreadgraph.search.indexing import embed_missing
from spreadgraph.search.retrieval import Searcher

from tests.conftest import wipe_data
from tests.search_fixtures import WordVectors, seed

TWIN = """
MATCH (doc:Case {id: 'case:t-hospital'})
CREATE (t:Case {id: 'case:t-hospital-template', title: 'Bedside tablet on hospital wards (template)',
                status: 'published', summary: 'Tablet for medicine reconciliation on hospital wards.'})
CREATE (t)-[:HAS_REVISION]->(:Revision {id: 'rev:twin:1', number: 1})
CREATE (t)-[:SAME_AS {method: 'citation'}]->(doc)
"""


@pytest.fixture(scope="module")
def searcher(migrated: Driver) -> Iterator[Searcher]:
    wipe_data(migrated)
    encoder = WordVectors()
    seed(migrated, encoder)
    migrated.execute_query(TWIN)
    embed_missing(migrated, encoder)
    yield Searcher(migrated, embedder=encoder)
    wipe_data(migrated)


def test_a_case_described_twice_is_listed_once_as_the_contributors_case(searcher: Searcher) -> None:
    response = searcher.search("bedside tablet medicine reconciliation hospital wards", kinds=("case",))
    cases = [r.id for r in response.items if r.kind == "case"]
    assert "case:t-hospital-template" in cases and "case:t-hospital" not in cases
    assert len(cases) == len(set(cases))
    twin = next(r for r in response.items if r.id == "case:t-hospital-template")
    assert twin.name and "template" in twin.name


def test_other_cases_are_untouched(searcher: Searcher) -> None:
    response = searcher.search("kiosk check-in surgery", kinds=("case",))
    assert "case:t-practice" in [r.id for r in response.items]
