"""Hybrid search against the real Neo4j: filters, fusion, visibility, provenance, odd queries.

The graph is tests/search_fixtures.py (invented text); vectors come from a deterministic
encoder, queried through the real vector and full-text indexes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.fusion import fuse, score_fusion
from spreadgraph.search.passages import merge_overlaps
from spreadgraph.search.query import MAX_QUERY_CHARS, escape_lucene, prepare
from spreadgraph.search.results import SearchResult
from spreadgraph.search.retrieval import Searcher

from tests.conftest import wipe_data
from tests.search_fixtures import HOSPITAL, PRACTICE, WordVectors, seed, unit


@pytest.fixture(scope="module")
def searcher(migrated: Driver) -> Iterator[Searcher]:
    wipe_data(migrated)
    encoder = WordVectors()
    seed(migrated, encoder)
    yield Searcher(migrated, embedder=encoder)
    wipe_data(migrated)


def excerpt_cases(results: list[SearchResult]) -> set[str]:
    return {r.case.id for r in results if r.kind == "excerpt" and r.case}


def test_results_carry_kind_score_evidence_case_and_source_span(searcher: Searcher, migrated: Driver) -> None:
    response = searcher.search("tablet slow to start on the night shift", limit=5, kinds=("excerpt",))
    top = response.results[0]
    assert top.kind == "excerpt" and top.score > 0
    assert top.case and top.case.id == "case:t-hospital" and top.case.title == "Bedside tablet on wards"
    assert top.source and top.source.title == "Tablet report" and top.source.file_name == "tablet-report.txt"
    records, _, _ = migrated.execute_query(
        "MATCH (s:Source {id: $id}) RETURN s.text AS text", id=top.source.id
    )
    assert records[0]["text"][top.source.start : top.source.end] == top.text
    assert "night shift" in top.text


def test_template_results_name_the_template(searcher: Searcher) -> None:
    response = searcher.search("hand hygiene quiz", filters=SearchFilters(published_only=False))
    quiz = next(
        r for r in response.results if r.kind == "excerpt" and r.case and r.case.id == "case:t-pending"
    )
    assert quiz.source and quiz.source.template_id == "t-pending" and quiz.source.field == "excerpts[1]"


def test_filters_restrict_results_inside_the_query(searcher: Searcher) -> None:
    everything = searcher.search("tablet kiosk", limit=20, kinds=("excerpt",))
    assert excerpt_cases(everything.results) == {"case:t-hospital", "case:t-practice"}
    for filters, expected in [
        (SearchFilters(setting="HOSPITAL"), {"case:t-hospital"}),
        (SearchFilters(country="wales"), {"case:t-practice"}),
        (SearchFilters(innovation_type="digital"), {"case:t-hospital"}),
        (SearchFilters(outcome_direction="improved"), {"case:t-hospital"}),
        (SearchFilters(source_type="article"), {"case:t-practice"}),
        (SearchFilters(year_from=2020), {"case:t-hospital"}),
        (SearchFilters(year_to=2019), {"case:t-practice"}),
    ]:
        for mode in ("hybrid", "vector", "fulltext"):
            found = searcher.search("tablet kiosk", limit=20, filters=filters, kinds=("excerpt",), mode=mode)
            assert excerpt_cases(found.results) == expected, (filters, mode)
    none = searcher.search("tablet kiosk", filters=SearchFilters(setting="prison"), kinds=("excerpt",))
    assert none.results == []


def test_unpublished_cases_are_hidden_by_default(searcher: Searcher) -> None:
    default = searcher.search("hand hygiene quiz for cleaners", limit=20)
    assert "case:t-pending" not in {r.case.id for r in default.results if r.case}
    assert all(r.id != "case:t-pending" for r in default.results)
    everything = searcher.search(
        "hand hygiene quiz for cleaners", limit=20, filters=SearchFilters(published_only=False)
    )
    assert "case:t-pending" in {r.case.id for r in everything.results if r.case}


def test_excerpts_without_a_case_from_documents_stay_visible(searcher: Searcher) -> None:
    found = searcher.search("parking permits for visiting relatives", kinds=("excerpt",))
    assert found.results and found.results[0].case is None
    assert found.results[0].source and found.results[0].source.file_name == "kiosk-article.md"


def test_an_item_both_retrievers_found_outranks_one_found_by_either(migrated: Driver) -> None:
    wipe_data(migrated)
    # Pinned vectors: the query points along axis 0. "both" shares the query's words and is
    # close in vector space; "lexical" shares the words but points elsewhere; "semantic" shares
    # no words but is the closest vector of all.
    query = "ferry timetable"
    pinned = {
        query: [1.0] + [0.0] * 383,
        "Ferry timetable changes confused the porters.": [0.8, 0.6] + [0.0] * 382,
        "The ferry timetable was printed in the lobby.": [-0.6, 0.0, 0.8] + [0.0] * 381,
        "Boat schedules puzzled the staff.": [0.95, 0.0, 0.0, 0.3122] + [0.0] * 380,
    }
    # Sixty distractors nearer the query than "lexical" push it past the vector list's depth
    # (50), so it is found by full text alone, as "semantic" is found by vectors alone.
    for i in range(60):
        pinned[f"Garden note {i} mentions roses."] = unit(
            [0.3] + [0.0] * 9 + [1.0 if j == i else 0.0 for j in range(374)]
        )
    encoder = WordVectors(pinned)
    seed(migrated, encoder)
    migrated.execute_query(
        """
        MATCH (s:Source {id: 'src:t1'}), (c:Case {id: 'case:t-hospital'})
        UNWIND range(0, size($texts) - 1) AS i
        CREATE (e:Excerpt {id: 'fusion:' + i, kind: 'passage', text: $texts[i], start: 1000 * (i + 1),
                           end: 1000 * (i + 1) + size($texts[i])})
        CREATE (e)-[:FROM]->(s) CREATE (c)-[:HAS_EXCERPT]->(e)
        """,
        texts=list(pinned)[1:],
    )
    from spreadgraph.search.indexing import embed_missing
    from spreadgraph.search.units import index_sentences

    index_sentences(migrated, sources=["src:t1"])
    embed_missing(migrated, encoder)
    searcher = Searcher(migrated, embedder=encoder)
    lexical = searcher.search(query, kinds=("excerpt",), mode="fulltext").results
    vector = searcher.search(query, limit=50, kinds=("excerpt",), mode="vector").results
    hybrid = searcher.search(query, kinds=("excerpt",)).results
    ids = [r.id for r in hybrid]
    both, lex_only, sem_only = "fusion:0#s0", "fusion:1#s0", "fusion:2#s0"
    assert vector[0].id == sem_only and both in [r.id for r in lexical[:2]]
    assert lex_only not in [r.id for r in vector]  # beyond the vector list's depth
    assert ids.index(both) == 0
    assert ids.index(both) < ids.index(lex_only) and ids.index(both) < ids.index(sem_only)
    assert {"vector", "fulltext"} <= set(hybrid[0].ranks)  # (and "passage": the excerpt's own vector)
    scored = searcher.search(query, limit=100, kinds=("excerpt",), fusion="score").results
    assert lex_only in [r.id for r in scored] and scored[0].score > 0  # full-text-only window scored
    wipe_data(migrated)
    seed(migrated, WordVectors())


def test_fusion_rule_and_overlap_suppression_without_a_database() -> None:
    def r(i: str, start: int = 0, end: int = 10, source: str = "s") -> SearchResult:
        return SearchResult.model_validate(
            {"kind": "excerpt", "id": i, "score": 0, "source": {"id": source, "start": start, "end": end}}
        )

    fused = fuse(
        {
            "excerpt:vector": [r("a", 0, 5), r("b", 20, 30)],
            "excerpt:fulltext": [r("c", 40, 50), r("b", 20, 30)],
        },
        5,
    )
    assert fused[0].id == "b"
    kept = merge_overlaps([r("x", 0, 100), r("y", 50, 150), r("z", 50, 150, source="other")])
    assert [k.id for k in kept] == ["x", "z"]
    assert kept[0].merged == ["y"] and kept[1].merged == []


def test_score_fusion_is_on_a_fixed_scale_without_a_database() -> None:
    def r(i: str, score: float, start: int) -> SearchResult:
        return SearchResult.model_validate(
            {
                "kind": "excerpt",
                "id": i,
                "score": score,
                "source": {"id": "s", "start": start, "end": start + 5},
            }
        )

    # vector scores are Neo4j's (1 + cos) / 2; Lucene scores are squashed by s / (s + 10)
    alone = score_fusion({"excerpt:vector": {"a": 0.9}, "excerpt:fulltext": {"a": 10.0}})
    crowd = score_fusion(
        {"excerpt:vector": {"a": 0.9, "b": 0.99}, "excerpt:fulltext": {"a": 10.0, "b": 40.0}}
    )
    assert alone["a"] == pytest.approx(0.7 * 0.8 + 0.3 * 0.5) == crowd["a"]  # no per-query min-max
    filled = score_fusion({"excerpt:fulltext": {"c": 10.0}}, fill={"excerpt:vector": {"c": 0.75}})
    assert filled["c"] == pytest.approx(0.7 * 0.5 + 0.3 * 0.5)
    lists = {"excerpt:vector": [r("a", 0.9, 0), r("b", 0.8, 20)], "excerpt:fulltext": [r("b", 12.0, 20)]}
    assert [x.id for x in fuse(lists, 5, "score")] == ["b", "a"]
    assert [x.id for x in fuse(lists, 5)] == ["b", "a"]  # RRF, the default
    with pytest.raises(ValueError):
        fuse(lists, 5, "max")  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["", "   ", "?!", None])
def test_an_empty_query_gets_a_clear_answer(searcher: Searcher, query: str | None) -> None:
    response = searcher.search(query)
    assert response.results == []
    assert response.notes and "empty" in response.notes[0].lower()


def test_a_10000_character_query_is_truncated_and_answered(searcher: Searcher) -> None:
    long = ("tablet slow to start on the night shift " * 300)[:10_000]
    response = searcher.search(long)
    assert response.results
    assert len(response.query) <= MAX_QUERY_CHARS
    assert any("10000 characters" in note for note in response.notes)


def test_lucene_special_characters_are_harmless(searcher: Searcher) -> None:
    nasty = 'tablet AND (kiosk OR "night" ) title:x* ~2 ^3 [a TO z] {b} \\ / && || ! - + ?'
    response = searcher.search(nasty)
    assert response.results
    assert escape_lucene('a+b:"c"') == 'a\\+b\\:\\"c\\"'
    assert prepare("How often did it (really) work?").lucene == "really work"


def test_node_kinds_carry_their_best_evidence(searcher: Searcher) -> None:
    response = searcher.search("slow device start-up", kinds=("barrier", "case", "approach"))
    assert response.results == []  # no excerpt kind asked for: no passages
    barrier = next(r for r in response.items if r.kind == "barrier")
    assert barrier.id == "barrier:slow-start" and barrier.case and barrier.case.id == "case:t-hospital"
    # the ranked lists carry ids and scores only: names are read for the fused top
    assert (barrier.name, barrier.description) == ("Slow device start-up", "devices slow to start")
    assert all(r.name for r in response.items)
    assert barrier.text and barrier.source and barrier.source.file_name == "tablet-report.txt"
    assert HOSPITAL.find(barrier.text) >= 0 or PRACTICE.find(barrier.text) >= 0


def test_rrf_weights_the_excerpt_vector_list_below_full_text() -> None:
    from spreadgraph.search.fusion import RRF_K, RRF_WEIGHTS, rrf

    lists = {"excerpt:vector": ["a", "b"], "excerpt:fulltext": ["b", "a"]}
    fused = rrf(lists)
    assert fused["b"] > fused["a"]  # first in full text beats first in vectors
    assert fused["a"] == pytest.approx(RRF_WEIGHTS["excerpt:vector"] / (RRF_K + 1) + 1 / (RRF_K + 2))
    unweighted = rrf(lists, weights={})
    assert unweighted["a"] == pytest.approx(unweighted["b"])
    # Found by both still beats found by one alone at the same rank, whatever the weight.
    both = rrf({"excerpt:vector": ["x"], "excerpt:fulltext": ["x"]})["x"]
    assert both > rrf({"excerpt:fulltext": ["y"]})["y"]


def test_full_text_matches_irregular_verb_forms(searcher: Searcher) -> None:
    """The English analyzer's stemmer does not relate "stand" and "stood": the query adds it."""
    assert prepare("Where did the volunteers stand?").lucene == "volunteers stand stood"
    assert prepare("Tablets were taught").lucene == "tablets taught teach"
    found = searcher.search("stand", mode="fulltext", kinds=("excerpt",))
    assert found.results and "stood beside the kiosk" in (found.results[0].text or "")
