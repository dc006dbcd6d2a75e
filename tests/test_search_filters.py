"""Every search filter restricts results, and applies inside the query (real Neo4j, invented text).

Three cases mention a rota app: one in Scottish district nursing, one in a Canadian community
pharmacy, one still pending. Each has its own context, innovation type, outcome, source and
CFIR / ERIC codes (one coded by a `CODED_AS` edge, the other by a confirmed `coded_as` claim, so
both routes are covered). 300 distractor excerpts in a fourth case say "rota app" more often and
sit closer to the query vector, so the filtered cases' excerpts rank far beyond the unfiltered
top 100 in both retrievers: a filter applied after a truncated top-k would lose them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver
from spreadgraph.search import retrieval
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.indexing import embed_missing
from spreadgraph.search.results import SearchResult
from spreadgraph.search.retrieval import Searcher
from spreadgraph.search.units import index_sentences

from tests.conftest import wipe_data
from tests.search_fixtures import DIM, WordVectors, unit

QUERY = "rota app"
NURSING = "District nurses in the glens found the rota app confusing during its first month."
PHARMACY = "Pharmacy counter staff said the rota app froze whenever the evening queue built up."
PENDING = "A pending pilot of the rota app stalled after the ward manager went on leave."
DISTRACTORS = 300

SETUP = """
CREATE (s1:Source {id: 'src:f-nursing', kind: 'document', title: 'Nursing rota evaluation',
                   file_name: 'nursing-rota.txt', source_type: 'evaluation', year: 2022, text: $nursing})
CREATE (s2:Source {id: 'src:f-pharmacy', kind: 'document', title: 'Pharmacy rota article',
                   file_name: 'pharmacy-rota.md', source_type: 'article', year: 2014, text: $pharmacy})
CREATE (s3:Source {id: 'src:f-pending', kind: 'template', title: 'Pending rota pilot', source_type: 'template',
                   text: 'Pending pilot.'})
CREATE (s4:Source {id: 'src:f-noise', kind: 'document', title: 'Hospital rota notes', file_name: 'noise.txt',
                   source_type: 'review', year: 2019, text: 'notes'})
CREATE (a:Case {id: 'case:f-nursing', title: 'Rota app in district nursing', status: 'published'})
CREATE (b:Case {id: 'case:f-pharmacy', title: 'Rota app in a pharmacy', status: 'published'})
CREATE (p:Case {id: 'case:f-pending', title: 'Rota app pilot', status: 'pending'})
CREATE (d:Case {id: 'case:f-noise', title: 'Rota notes from a hospital', status: 'published'})
CREATE (a)-[:IN_CONTEXT]->(:Context {id: 'ctx:f-a', setting: 'District Nursing', sector: 'NHS',
                                     country: 'Scotland', region: 'Highlands'})
CREATE (b)-[:IN_CONTEXT]->(:Context {id: 'ctx:f-b', setting: 'community pharmacy', sector: 'independent sector',
                                     country: 'Canada', region: 'Ontario'})
CREATE (p)-[:IN_CONTEXT]->(:Context {id: 'ctx:f-p', setting: 'district nursing', sector: 'NHS',
                                     country: 'Scotland', region: 'Highlands'})
CREATE (d)-[:IN_CONTEXT]->(:Context {id: 'ctx:f-d', setting: 'acute hospital', sector: 'NHS', country: 'Wales'})
CREATE (a)-[:ABOUT]->(:Innovation {id: 'inn:f-a', name: 'Rota app', type: 'Digital tool'})
CREATE (b)-[:ABOUT]->(:Innovation {id: 'inn:f-b', name: 'Rota pathway', type: 'care pathway'})
CREATE (p)-[:ABOUT]->(:Innovation {id: 'inn:f-p', name: 'Rota pilot', type: 'digital tool'})
CREATE (d)-[:ABOUT]->(:Innovation {id: 'inn:f-d', name: 'Rota notes', type: 'service model'})
CREATE (a)-[:DESCRIBED_IN]->(s1) CREATE (b)-[:DESCRIBED_IN]->(s2) CREATE (p)-[:DESCRIBED_IN]->(s3)
CREATE (d)-[:DESCRIBED_IN]->(s4)
CREATE (e1:Excerpt {id: 'src:f-nursing:0', kind: 'passage', text: $nursing, start: 0, end: size($nursing)})
CREATE (e2:Excerpt {id: 'src:f-pharmacy:0', kind: 'quote', text: $pharmacy, start: 0, end: size($pharmacy)})
CREATE (e3:Excerpt {id: 'case:f-pending:excerpts[1]', kind: 'template_quote', text: $pending, field: 'excerpts[1]'})
CREATE (e1)-[:FROM]->(s1) CREATE (e2)-[:FROM]->(s2) CREATE (e3)-[:FROM]->(s3)
CREATE (a)-[:HAS_EXCERPT]->(e1) CREATE (b)-[:HAS_EXCERPT]->(e2) CREATE (p)-[:HAS_EXCERPT]->(e3)
WITH a, b, p, d, s4, e1, e2, e3
UNWIND range(0, $n - 1) AS i
CREATE (x:Excerpt {id: 'src:f-noise:' + i, kind: 'passage', text: $noise[i], start: 100 * i,
                   end: 100 * i + size($noise[i])})
CREATE (x)-[:FROM]->(s4) CREATE (d)-[:HAS_EXCERPT]->(x)
"""
# Codes: case A's barrier by a CODED_AS edge (Inner Setting), its approach by a confirmed claim
# (Train and educate stakeholders); case B the other way round (Outer Setting, Change infrastructure).
CODES = """
MATCH (a:Case {id: 'case:f-nursing'}), (b:Case {id: 'case:f-pharmacy'}), (p:Case {id: 'case:f-pending'})
MATCH (e1:Excerpt {id: 'src:f-nursing:0'}), (e2:Excerpt {id: 'src:f-pharmacy:0'})
MATCH (inner:CfirConstruct)-[:IN_DOMAIN]->(:CfirDomain {number: 'III'})
WITH a, b, p, e1, e2, inner ORDER BY inner.id LIMIT 1
MATCH (outer:CfirConstruct)-[:IN_DOMAIN]->(:CfirDomain {number: 'II'})
WITH a, b, p, e1, e2, inner, outer ORDER BY outer.id LIMIT 1
MATCH (train:EricStrategy)-[:IN_CLUSTER]->(:EricCluster {number: 5})
WITH a, b, p, e1, e2, inner, outer, train ORDER BY train.id LIMIT 1
MATCH (infra:EricStrategy)-[:IN_CLUSTER]->(:EricCluster {number: 9})
WITH a, b, p, e1, e2, inner, outer, train, infra ORDER BY infra.id LIMIT 1
CREATE (ba:Barrier {id: 'barrier:f-confusing', name: 'Confusing rota screens'})-[:CODED_AS]->(inner)
CREATE (bb:Barrier {id: 'barrier:f-freezing', name: 'Rota app freezing'})
CREATE (aa:Approach {id: 'approach:f-buddies', name: 'Rota buddies'})
CREATE (ab:Approach {id: 'approach:f-servers', name: 'New rota servers'})-[:CODED_AS]->(infra)
CREATE (a)-[:MAKES]->(:Claim {id: 'cl:f1', kind: 'met_barrier', status: 'confirmed'})-[:SUBJECT]->(ba)
CREATE (a)-[:MAKES]->(c2:Claim {id: 'cl:f2', kind: 'used_approach', status: 'confirmed'})-[:SUBJECT]->(aa)
CREATE (a)-[:MAKES]->(c3:Claim {id: 'cl:f3', kind: 'coded_as', status: 'confirmed'})-[:SUBJECT]->(aa)
CREATE (c3)-[:OBJECT]->(train)
CREATE (b)-[:MAKES]->(c4:Claim {id: 'cl:f4', kind: 'met_barrier', status: 'suggested'})-[:SUBJECT]->(bb)
CREATE (b)-[:MAKES]->(c5:Claim {id: 'cl:f5', kind: 'coded_as', status: 'suggested'})-[:SUBJECT]->(bb)
CREATE (c5)-[:OBJECT]->(outer)
CREATE (b)-[:MAKES]->(:Claim {id: 'cl:f6', kind: 'used_approach', status: 'confirmed'})-[:SUBJECT]->(ab)
CREATE (p)-[:MAKES]->(:Claim {id: 'cl:f7', kind: 'met_barrier', status: 'confirmed'})-[:SUBJECT]->(ba)
CREATE (a)-[:MAKES]->(:Claim {id: 'cl:f8', kind: 'reported_outcome', status: 'confirmed'})
       -[:SUBJECT]->(:Outcome {id: 'out:f-a', measure: 'shift gaps', value: 'fewer', direction: 'improved'})
CREATE (b)-[:MAKES]->(:Claim {id: 'cl:f9', kind: 'reported_outcome', status: 'confirmed'})
       -[:SUBJECT]->(:Outcome {id: 'out:f-b', measure: 'queue time', value: 'longer', direction: 'worsened'})
"""
A, B, P = "case:f-nursing", "case:f-pharmacy", "case:f-pending"


def _noise(i: int) -> str:
    return f"Rota app note {i}: the rota app, the rota app again."


@pytest.fixture(scope="module")
def searcher(migrated: Driver) -> Iterator[Searcher]:
    wipe_data(migrated)
    noise = [_noise(i) for i in range(DISTRACTORS)]
    pinned = {QUERY: unit([1.0] + [0.0] * (DIM - 1))}
    for i, text in enumerate(noise):  # all nearer the query than the three cases' sentences
        pinned[text] = unit([2.0] + [1.0 if j == i % (DIM - 1) else 0.0 for j in range(DIM - 1)])
    for k, text in enumerate((NURSING, PHARMACY, PENDING)):
        pinned[text] = unit([0.4] + [0.0] * (DIM - 2 - k) + [1.0] + [0.0] * k)
    migrated.execute_query(
        SETUP, nursing=NURSING, pharmacy=PHARMACY, pending=PENDING, noise=noise, n=DISTRACTORS
    )
    migrated.execute_query(CODES)
    encoder = WordVectors(pinned)
    index_sentences(migrated)
    embed_missing(migrated, encoder)
    yield Searcher(migrated, embedder=encoder)
    wipe_data(migrated)


def cases_of(results: list[SearchResult]) -> set[str]:
    return {r.case.id for r in results if r.case} | {r.id for r in results if r.kind == "case"}


FILTERS = [
    (SearchFilters(setting="district nursing"), {A}),
    (SearchFilters(setting="PHARMACY"), {B}),
    (SearchFilters(sector="independent"), {B}),
    (SearchFilters(country="scotland"), {A}),
    (SearchFilters(country="Ontario"), {B}),  # region
    (SearchFilters(innovation_type="digital"), {A}),
    (SearchFilters(innovation_type="care pathway"), {B}),
    (SearchFilters(cfir_domain="Inner Setting"), {A}),  # CODED_AS edge
    (SearchFilters(cfir_domain="III"), {A}),
    (SearchFilters(cfir_domain="outer setting"), {B}),  # coded_as claim
    (SearchFilters(cfir_domain="I"), set()),  # the numeral of Innovation, not every name with an "i"
    (SearchFilters(cfir_domain="ii"), {B}),
    (SearchFilters(eric_cluster="train and educate"), {A}),  # coded_as claim
    (SearchFilters(eric_cluster="5"), {A}),
    (SearchFilters(eric_cluster="Change infrastructure"), {B}),  # CODED_AS edge
    (SearchFilters(eric_cluster="9"), {B}),
    (SearchFilters(outcome_direction="improved"), {A}),
    (SearchFilters(outcome_direction="worsened"), {B}),
    (SearchFilters(source_type="article"), {B}),
    (SearchFilters(year_from=2020), {A}),
    (SearchFilters(year_to=2015), {B}),
    (SearchFilters(year_from=2010, year_to=2016), {B}),
    (SearchFilters(setting="nursing", published_only=False), {A, P}),
    (SearchFilters(country="scotland", outcome_direction="worsened"), set()),
]


def test_unfiltered_search_ranks_the_cases_beyond_the_top_100(searcher: Searcher) -> None:
    for mode in ("hybrid", "vector", "fulltext"):
        found = searcher.search(QUERY, limit=100, kinds=("excerpt",), mode=mode)
        assert len(found.results) == 100
        assert cases_of(found.results) == {"case:f-noise"}, mode


@pytest.mark.parametrize("exact_pool", [retrieval.EXACT_POOL, 0], ids=["filter-first", "over-fetch"])
@pytest.mark.parametrize("mode", ["hybrid", "vector", "fulltext"])
@pytest.mark.parametrize(("filters", "expected"), FILTERS, ids=[repr(f.values()) for f, _ in FILTERS])
def test_each_filter_restricts_excerpts_inside_the_query(
    searcher: Searcher,
    monkeypatch: pytest.MonkeyPatch,
    filters: SearchFilters,
    expected: set[str],
    mode: str,
    exact_pool: int,
) -> None:
    monkeypatch.setattr(retrieval, "EXACT_POOL", exact_pool)
    found = searcher.search(QUERY, limit=5, filters=filters, kinds=("excerpt",), mode=mode)  # type: ignore[arg-type]
    assert cases_of(found.results) == expected
    if expected:
        # each passing case's excerpt is found although hundreds of excerpts outrank it unfiltered
        assert {r.case.id for r in found.results[: len(expected)] if r.case} == expected


@pytest.mark.parametrize(("filters", "expected"), FILTERS, ids=[repr(f.values()) for f, _ in FILTERS])
def test_each_filter_restricts_cases_barriers_and_approaches(
    searcher: Searcher, filters: SearchFilters, expected: set[str]
) -> None:
    found = searcher.search(QUERY, limit=20, filters=filters, kinds=("case", "barrier", "approach"))
    assert {r.id for r in found.items if r.kind == "case"} == expected
    for r in found.items:
        assert r.kind == "case" or (r.case and r.case.id in expected), r


def test_pending_cases_need_published_only_off(searcher: Searcher) -> None:
    default = searcher.search("pending pilot stalled", limit=10, filters=SearchFilters(setting="nursing"))
    assert P not in cases_of(default.results)
    everything = searcher.search(
        "pending pilot stalled", limit=10, filters=SearchFilters(setting="nursing", published_only=False)
    )
    assert P in cases_of(everything.results)


def test_filter_values_are_parameters_not_cypher(searcher: Searcher) -> None:
    nasty = SearchFilters(setting="x' OR 1=1 //", cfir_domain="}) RETURN 1 //", source_type="' OR true //")
    assert searcher.search(QUERY, filters=nasty).results == []
    predicate = nasty.excerpt_predicate() + nasty.case_predicate()
    assert "$f_source_type" in predicate and "$case_ids" in predicate
    assert not any(text in predicate for text in ("OR 1=1", "RETURN 1", "OR true"))


def test_warm_up_runs_every_statement_shape(searcher: Searcher) -> None:
    """Each shape (no filter, case filter, source filter; index and exact plans; evidence for one
    item and several) is valid Cypher with the parameters a search sends."""
    from spreadgraph.search.warmup import warm_up

    warm_up(searcher)
    assert cases_of(searcher.search(QUERY, limit=5, filters=SearchFilters(country="canada")).results) == {B}
