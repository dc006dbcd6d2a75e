"""Case filters are matched against facets read once per graph version (real Neo4j, invented cases).

The facets must follow every write at once (the version stamp is the last committed transaction),
including edits that change neither the claim count nor the published cases, and threads that
ask for the same missing value must compute it once.
"""

from __future__ import annotations

import threading
import time

from neo4j import Driver
from spreadgraph.graph.versioned_cache import VersionedCache, graph_version
from spreadgraph.search.facets import facets
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.retrieval import Searcher

CASES = """
CREATE (a:Case {id: 'case:fc-a', title: 'Ward huddles', status: 'published'})
       -[:IN_CONTEXT]->(:Context {id: 'ctx:fc-a', setting: 'Acute ward', country: 'Wales'})
CREATE (b:Case {id: 'case:fc-b', title: 'Home visits', status: 'published'})
       -[:IN_CONTEXT]->(:Context {id: 'ctx:fc-b', setting: 'Community nursing', country: 'Ireland',
                                 region: 'Munster'})
CREATE (p:Case {id: 'case:fc-p', title: 'Draft', status: 'pending'})
       -[:IN_CONTEXT]->(:Context {id: 'ctx:fc-p', setting: 'acute ward'})
"""


def passing(driver: Driver, **values: object) -> set[str]:
    scope = Searcher(driver).scope(SearchFilters(**values))  # type: ignore[arg-type]
    assert scope.case_ids is not None
    return set(scope.case_ids)


def test_the_stamp_changes_with_every_write_and_never_with_reads(graph: Driver) -> None:
    before = graph_version(graph)
    graph.execute_query("RETURN 1")
    assert graph_version(graph) == before
    graph.execute_query("CREATE (:Context {id: 'ctx:fc-lonely', setting: 'nowhere'})")
    after = graph_version(graph)
    assert after != before
    graph.execute_query("MATCH (x:Context {id: 'ctx:fc-lonely'}) SET x.setting = 'somewhere'")
    assert graph_version(graph) != after  # no case or claim changed, the stamp still moves


def test_case_filters_follow_an_edit_in_place_at_once(graph: Driver) -> None:
    graph.execute_query(CASES)
    assert passing(graph, setting="ACUTE") == {"case:fc-a"}
    assert passing(graph, setting="acute", published_only=False) == {"case:fc-a", "case:fc-p"}
    assert passing(graph, country="munster") == {"case:fc-b"}  # the region counts as a place
    graph.execute_query("MATCH (x:Context {id: 'ctx:fc-b'}) SET x.setting = 'acute ward outreach'")
    assert passing(graph, setting="acute") == {"case:fc-a", "case:fc-b"}
    graph.execute_query("MATCH (c:Case {id: 'case:fc-a'}) SET c.status = 'withdrawn'")
    assert passing(graph, setting="acute") == {"case:fc-b"}
    assert {case.id for case in facets(graph).cases} == {"case:fc-a", "case:fc-b", "case:fc-p"}


def test_a_source_filter_is_a_share_of_sources_and_keeps_the_cases_they_describe(graph: Driver) -> None:
    graph.execute_query(
        CASES + "CREATE (r:Source {id: 'src:fc-1', source_type: 'Review', year: 2019}) "
        "CREATE (:Source {id: 'src:fc-2', source_type: 'article', year: 2012}) "
        "CREATE (a)-[:DESCRIBED_IN]->(r) CREATE (p)-[:DESCRIBED_IN]->(r)"
    )
    searcher = Searcher(graph)
    review = searcher.scope(SearchFilters(source_type="review"))
    assert review.share == 0.5  # excerpts are estimated from sources: some belong to no case
    assert review.case_ids == ("case:fc-a",)  # the pending case is hidden, fc-b has no source
    assert passing(graph, source_type="review", published_only=False) == {"case:fc-a", "case:fc-p"}
    assert passing(graph, source_type="review", country="ireland") == set()
    assert searcher.scope(SearchFilters(year_from=2013, year_to=2020)).share == 0.5
    assert searcher.scope(SearchFilters(year_from=2030)).case_ids == ()


ITEMS = """
MATCH (a:Case {id: 'case:fc-a'}), (b:Case {id: 'case:fc-b'})
CREATE (late:Barrier {id: 'bar:fc-late'}), (cost:Barrier {id: 'bar:fc-cost'})
CREATE (train:Approach {id: 'app:fc-train'}), (pay:Approach {id: 'app:fc-pay'})
CREATE (a)-[:MAKES]->(:Claim {id: 'cl:fc-1', status: 'suggested'})-[:SUBJECT]->(late)
CREATE (a)-[:MAKES]->(c2:Claim {id: 'cl:fc-2', status: 'confirmed'})-[:SUBJECT]->(train)
CREATE (c2)-[:OBJECT]->(cost)
CREATE (b)-[:MAKES]->(:Claim {id: 'cl:fc-3', status: 'rejected'})-[:SUBJECT]->(pay)
CREATE (b)-[:MAKES]->(c4:Claim {id: 'cl:fc-4', status: 'suggested'})-[:SUBJECT]->(pay)
CREATE (c4)-[:OBJECT]->(train)
"""


def test_a_filter_lists_the_barriers_and_approaches_of_its_passing_cases(graph: Driver) -> None:
    graph.execute_query(CASES)
    graph.execute_query(ITEMS)
    searcher = Searcher(graph)
    wales = searcher.scope(SearchFilters(country="wales"))
    assert wales.barrier_ids == ("bar:fc-cost", "bar:fc-late")  # subject or object of a claim
    assert wales.approach_ids == ("app:fc-train",)  # approaches count as subjects only
    ireland = searcher.scope(SearchFilters(country="ireland"))
    assert ireland.barrier_ids == ()
    assert ireland.approach_ids == ("app:fc-pay",)  # a live claim about it, beside a rejected one
    assert searcher.scope(SearchFilters(country="ireland")) is ireland  # remembered per version
    graph.execute_query("MATCH (cl:Claim {id: 'cl:fc-4'}) SET cl.status = 'rejected'")
    assert searcher.scope(SearchFilters(country="ireland")).approach_ids == ()
    params = wales.params(SearchFilters(country="wales"))
    assert params["barrier_ids"][:2] == ["bar:fc-cost", "bar:fc-late"] and set(params["barrier_ids"][2:]) == {
        ""
    }


def test_threads_wanting_the_same_value_compute_it_once() -> None:
    cache = VersionedCache(ttl=60)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", "v1", slow))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 4 and len(calls) == 1
    assert cache.get("k", "v2", lambda: 7) == 7  # a new stamp computes again
