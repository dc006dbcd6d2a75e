"""Full text weighed by how much of the query it finds (search/lexical.py), against the real Neo4j.

The graph is tests/search_fixtures.py (invented text). One excerpt's own embedding is pinned to
a query that shares no word with any text, so only the passage-level vector list can find it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver
from spreadgraph.search.lexical import lexical_weight, word_share
from spreadgraph.search.query import content_words
from spreadgraph.search.retrieval import Searcher

from tests.conftest import wipe_data
from tests.search_fixtures import PRACTICE, WordVectors, axis, seed

PARAPHRASE = "Greeting newcomers automatically at the front desk"


@pytest.fixture(scope="module")
def encoder(migrated: Driver) -> Iterator[WordVectors]:
    wipe_data(migrated)
    vectors = WordVectors({PRACTICE: axis(7), PARAPHRASE: axis(7, 8, 0.1)})
    seed(migrated, vectors)
    yield vectors
    wipe_data(migrated)


def test_word_share_compares_stems_as_the_english_analyzer_does() -> None:
    words = content_words("How often did the coaches meet improvement teams?")
    assert words == ["coaches", "meet", "improvement", "teams"]
    assert word_share(words, "Each coach met the team weekly to plan improvements.") == 0.75  # not "meet"
    assert word_share([], "anything") == 0.0


@pytest.mark.parametrize(("share", "weight"), [(0.0, 0.0), (0.2, 0.4), (0.5, 1.0), (0.9, 1.0)])
def test_full_text_gets_full_weight_once_half_the_query_is_in_one_window(share: float, weight: float) -> None:
    assert lexical_weight(share) == pytest.approx(weight)


def test_a_query_in_the_texts_words_keeps_full_text_and_skips_the_passage_list(
    migrated: Driver, encoder: WordVectors
) -> None:
    searcher = Searcher(migrated, embedder=encoder)
    response = searcher.search("pharmacists found the tablet slow on the night shift", kinds=("excerpt",))
    assert searcher.last_lexical_share is not None and searcher.last_lexical_share >= 0.5
    assert "excerpt:passage" not in searcher.last_timings
    assert response.results[0].source.id == "src:t1"


def test_a_query_in_other_words_is_answered_by_the_passage_vectors(
    migrated: Driver, encoder: WordVectors
) -> None:
    searcher = Searcher(migrated, embedder=encoder)
    response = searcher.search(PARAPHRASE, kinds=("excerpt",))
    assert searcher.last_lexical_share == 0.0
    assert "excerpt:passage" in searcher.last_timings
    assert response.results[0].source.excerpt_id == "src:t2:0"

    fixed = Searcher(migrated, embedder=encoder, lexical_weighting=False)
    fixed.search(PARAPHRASE, kinds=("excerpt",))
    assert "excerpt:passage" not in fixed.last_timings and fixed.last_lexical_share is None
