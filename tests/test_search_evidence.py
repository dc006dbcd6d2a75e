"""Which window a barrier or approach result shows as its evidence (real Neo4j, invented text).

An item's evidence is a window of an excerpt that evidences a live claim about it in a passing
case: one the search itself retrieved first, else the one closest to the query among its
best claims.
"""

from __future__ import annotations

from neo4j import Driver
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.indexing import embed_missing
from spreadgraph.search.results import SearchResult
from spreadgraph.search.retrieval import Searcher
from spreadgraph.search.units import index_sentences

from tests.search_fixtures import WordVectors

ROTA = "Staff rotas left nobody free to learn the new scanner during the winter months."
PARKING = "Porters complained that the loading bay was blocked every morning by delivery vans."
GRAPH = """
CREATE (s:Source {id: 'src:ev', kind: 'document', title: 'Scanner review', file_name: 'scanner.txt',
                  source_type: 'review', year: 2020, text: $rota + '\n\n' + $parking})
CREATE (x:Case {id: 'case:ev-x', title: 'Scanner in theatres', status: 'published'})-[:DESCRIBED_IN]->(s)
CREATE (x)-[:IN_CONTEXT]->(:Context {id: 'ctx:ev-x', setting: 'operating theatres', country: 'Wales'})
CREATE (y:Case {id: 'case:ev-y', title: 'Scanner in clinics', status: 'published'})-[:DESCRIBED_IN]->(s)
CREATE (ex:Excerpt {id: 'src:ev:0', kind: 'passage', text: $rota, start: 0, end: size($rota)})-[:FROM]->(s)
CREATE (ey:Excerpt {id: 'src:ev:1', kind: 'passage', text: $parking, start: size($rota) + 2,
                    end: size($rota) + 2 + size($parking)})-[:FROM]->(s)
CREATE (x)-[:HAS_EXCERPT]->(ex) CREATE (y)-[:HAS_EXCERPT]->(ey)
CREATE (b:Barrier {id: 'barrier:ev', name: 'No time to learn', description: 'staff too busy'})
CREATE (x)-[:MAKES]->(:Claim {id: 'cl:ev-x', kind: 'met_barrier', status: 'confirmed', confidence: 0.9})
       -[:EVIDENCED_BY]->(ex)
CREATE (y)-[:MAKES]->(:Claim {id: 'cl:ev-y', kind: 'met_barrier', status: 'suggested', confidence: 0.2})
       -[:EVIDENCED_BY]->(ey)
WITH b MATCH (cl:Claim) WHERE cl.id STARTS WITH 'cl:ev-' CREATE (cl)-[:SUBJECT]->(b)
"""


def evidence(searcher: Searcher, query: str, units: list[str], filters: SearchFilters) -> SearchResult:
    result = SearchResult(kind="barrier", id="barrier:ev", score=1.0)
    vector = searcher.encode(query)
    searcher.hydrate([result], vector, filters, units=units)
    return result


def test_a_retrieved_window_beats_a_closer_one_as_an_items_evidence(graph: Driver) -> None:
    graph.execute_query(GRAPH, rota=ROTA, parking=PARKING)
    encoder = WordVectors()
    index_sentences(graph)
    embed_missing(graph, encoder)
    searcher = Searcher(graph, embedder=encoder)
    everywhere = SearchFilters()
    # nothing retrieved: the window closest to the query, among the item's claims
    closest = evidence(searcher, "staff rotas winter scanner", [], everywhere)
    assert closest.case and closest.case.id == "case:ev-x" and ROTA in (closest.text or "")
    # the search retrieved the other claim's window: it is shown, though further from the query
    parking = graph.execute_query(
        "MATCH (u:Sentence)-[:IN_EXCERPT]->(:Excerpt {id: 'src:ev:1'}) RETURN u.id AS id"
    ).records[0]["id"]
    shown = evidence(searcher, "staff rotas winter scanner", [parking], everywhere)
    assert shown.case and shown.case.id == "case:ev-y" and PARKING in (shown.text or "")
    # a filter that drops that claim's case drops its window, retrieved or not
    wales = evidence(searcher, "staff rotas winter scanner", [parking], SearchFilters(country="wales"))
    assert wales.case and wales.case.id == "case:ev-x" and ROTA in (wales.text or "")
