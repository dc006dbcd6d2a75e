"""An analyst's codes in a coded-excerpt export become confirmed claims with their evidence."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.coded_claims import parse_code
from spreadgraph.graph.connection import read
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.ingester import ingest_document

EXPORT = (
    "source,case,speaker_role,codes,quote\n"
    'ward-review.txt,Riverside,Porter,"barrier:lack of time; enabler:peer support",'
    '"Nobody had the hours to sit the course, so the buddies covered for each other."\n'
    'ward-review.txt,Riverside,Matron,"approach:Training ; outcome:fewer falls; mood:tired",'
    '"After the refresher sessions we logged fewer falls on nights."\n'
    'ward-review.txt,,Ward clerk,"Barrier: Lack of  TIME","The rota never had slack for it."\n'
)

CLAIMS = """
MATCH (c:Claim {method: 'coded_import'})-[:SUBJECT]->(item)
MATCH (c)-[ev:EVIDENCED_BY]->(e:Excerpt)
OPTIONAL MATCH (case:Case)-[:MAKES]->(c)
RETURN c.kind AS kind, c.status AS status, c.asserted_by AS by, labels(item)[0] AS label,
       coalesce(item.name, item.measure) AS name, item.id AS item, e.speaker_role AS role,
       ev.start = e.start AND ev.end = e.end AS whole_excerpt, case.id IS NOT NULL AS has_case
ORDER BY role, kind
"""


def test_parse_code() -> None:
    assert parse_code(" Barrier :  lack of   time ") == ("barrier", "lack of time")
    assert parse_code("mood:tired") is None and parse_code("barrier:") is None and parse_code("x") is None


def test_codes_become_confirmed_claims_on_shared_items(graph: Driver, tmp_path: Path) -> None:
    path = tmp_path / "ward-codes.csv"
    path.write_text(EXPORT, encoding="utf-8")
    result = ingest_document(path)
    assert "5 coded claims (1 codes skipped)" in result.summary()  # "mood:tired" is no claim kind

    rows = read(CLAIMS)
    assert {(r["role"], r["kind"], r["label"]) for r in rows} == {
        ("Porter", "met_barrier", "Barrier"),
        ("Porter", "had_enabler", "Enabler"),
        ("Matron", "used_approach", "Approach"),
        ("Matron", "reported_outcome", "Outcome"),
        ("Ward clerk", "met_barrier", "Barrier"),
    }
    assert len(rows) == 5
    assert all(r["status"] == "confirmed" and r["by"] == "coded export ward-codes.csv" for r in rows)
    assert all(r["whole_excerpt"] for r in rows)
    # "lack of time" and "Lack of  TIME" are one Barrier node, met by two excerpts.
    barriers = {r["item"] for r in rows if r["label"] == "Barrier"}
    assert len(barriers) == 1
    assert {r["role"]: r["has_case"] for r in rows if r["label"] == "Barrier"} == {
        "Porter": True,
        "Ward clerk": False,
    }

    before = fingerprint(graph)
    ingest_document(path)
    assert fingerprint(graph) == before
