"""The document writer: Source, Excerpts and Cases in one transaction, idempotent and versioned."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from neo4j import Driver
from spreadgraph.graph.connection import read, write_tx
from spreadgraph.graph.documents import save_document, write_document
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.dispatch import kind_of
from spreadgraph.ingest.documents.ingester import ingest_document
from spreadgraph.ingest.documents.parsing import parse_document

from spreadgraph.errors import IngestError
from tests.conftest import shared_path

# An invented evaluation (no corpus text): two phases, quotes with a role, a team and a code.
FIXTURE = """# Rolling out a falls-prevention huddle: an evaluation

Jo Example and Sam Placeholder

Published 2022. An evaluation of a two-phase spread effort.

## Phase 1: three pilot wards

In phase 1 the huddle ran on three pilot wards with direct support from the central team.

'The huddle made us notice who was unsteady before lunch, not after a fall.' (ward sister)

Staff said the first month was hard because rotas changed weekly.

'Nobody covered the huddle when the charge nurse was off, so it lapsed.' (phase 1 ward, healthcare assistant)

## Phase 2: twelve wards with peer champions

In phase 2 each new ward was paired with a peer champion from a phase 1 ward.

In phase 2 the champions put it plainly.

\u201cHaving someone who had already done it on the next corridor was the key to getting started.\u201d 04-WD-011

The champions met monthly to share fixes.

## Lessons

Start small, keep the huddle short, and name a deputy for every lead.
"""

SPANS = """
MATCH (e:Excerpt)-[:FROM]->(s:Source {id: $id})
RETURN s.text AS source, e.id AS id, e.text AS text, e.start AS start, e.end AS end
"""
CASES = """
MATCH (c:Case)-[:DESCRIBED_IN]->(s:Source {id: $id})
OPTIONAL MATCH (c)-[:HAS_EXCERPT]->(e:Excerpt)
RETURN c.id AS id, c.status AS status, count(e) AS excerpts ORDER BY id
"""


def fixture_file(tmp_path: Path, text: str = FIXTURE, name: str = "huddle-evaluation.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_spans_round_trip(source_id: str) -> int:
    rows = read(SPANS, {"id": source_id})
    assert rows
    for row in rows:
        assert row["source"][row["start"] : row["end"]] == row["text"], row["id"]
        assert row["id"] == f"{source_id}:{row['start']}-{row['end']}"
    return len(rows)


def test_fixture_document_ingests_and_spans_round_trip(graph: Driver, tmp_path: Path) -> None:
    result = ingest_document(fixture_file(tmp_path))
    assert (result.action, result.version, result.cases) == ("created", 1, 2)
    source = read("MATCH (s:Source {id: $id}) RETURN s", {"id": result.source_id})[0]["s"]
    assert source["kind"] == "document" and source["file_name"] == "huddle-evaluation.md"
    assert source["year"] == 2022 and source["authors"] == ["Jo Example", "Sam Placeholder"]
    assert "\n\n" in source["text"] and len(source["content_hash"]) == 64
    assert assert_spans_round_trip(result.source_id) == result.excerpts
    cases = read(CASES, {"id": result.source_id})
    assert [c["id"].rsplit(":", 1)[1] for c in cases] == ["phase-1", "phase-2"]
    assert all(c["status"] == "published" and c["excerpts"] for c in cases)
    quote = read(
        "MATCH (c:Case)-[:HAS_EXCERPT]->(e:Excerpt {kind: 'quote', speaker: '04-WD-011'}) RETURN c.id AS case"
    )
    assert [q["case"] for q in quote] == ["case:doc:huddle-evaluation:phase-2"]


def test_reingest_writes_nothing_and_an_interrupted_write_leaves_no_trace(
    graph: Driver, tmp_path: Path
) -> None:
    path = fixture_file(tmp_path)
    empty = fingerprint()

    def interrupted(tx):
        write_document(tx, parse_document(path))
        raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError):
        write_tx(interrupted)
    assert fingerprint() == empty
    first = ingest_document(path)
    before = fingerprint()
    again = ingest_document(path)
    assert again.action == "unchanged" and again.source_id == first.source_id
    assert fingerprint() == before


def test_a_changed_document_becomes_a_linked_new_version(graph: Driver, tmp_path: Path) -> None:
    path = fixture_file(tmp_path)
    v1 = ingest_document(path)
    path.write_text(FIXTURE + "\nA later addendum notes that the huddle is now routine.\n", encoding="utf-8")
    v2 = ingest_document(path)
    assert (v2.action, v2.version, v2.previous) == ("versioned", 2, v1.source_id)
    links = read(
        "MATCH (n:Source)-[:PREVIOUS_VERSION]->(o:Source) RETURN n.id AS new, o.id AS old, n.version AS v"
    )
    assert links == [{"new": v2.source_id, "old": v1.source_id, "v": 2}]
    assert_spans_round_trip(v2.source_id)
    # Same Case nodes, described in both versions, holding only the newest version's excerpts.
    assert read("MATCH (c:Case) RETURN count(c) AS n")[0]["n"] == 2
    stale = read(
        "MATCH (:Case)-[:HAS_EXCERPT]->(e)-[:FROM]->(:Source {id: $old}) RETURN count(e) AS n",
        {"old": v1.source_id},
    )
    assert stale[0]["n"] == 0
    assert read("MATCH (e:Excerpt)-[:FROM]->(:Source {id: $old}) RETURN count(e) AS n", {"old": v1.source_id})
    assert ingest_document(path).action == "unchanged"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF"),
        ("broken.docx", b"PK\x03\x04 not a real zip"),
        ("fake.docx", b"plain words"),
    ],
)
def test_malformed_pdf_and_docx_write_nothing(graph: Driver, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = fingerprint()
    assert kind_of(path).name == "document"
    with pytest.raises(IngestError):
        kind_of(path).ingest(path)
    assert fingerprint() == before


def test_docx_and_coded_exports_go_through_the_cli_kinds(graph: Driver, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for block in FIXTURE.split("\n\n"):
        document.add_paragraph(block.strip().lstrip("# "))
    document.save(tmp_path / "huddle.docx")
    (tmp_path / "codes.csv").write_text(
        "source,case,speaker_role,codes,quote\n"
        "huddle.docx,phase 2,charge nurse,enabler:peer champion,The champion showed us the board on day one.\n"
        "huddle.docx,,porter,barrier:staff turnover,New starters never heard of it.\n",
        encoding="utf-8",
    )
    (tmp_path / "codes.json").write_text(
        '[{"quote": "We wrote the huddle into the shift handover sheet.", "role": "matron"}]',
        encoding="utf-8",
    )
    for name in ("huddle.docx", "codes.csv", "codes.json"):
        kind = kind_of(tmp_path / name)
        assert kind and kind.name == "document", name
        assert "created" in kind.ingest(tmp_path / name)
    kinds = read("MATCH (s:Source) RETURN s.kind AS kind, s.format AS format ORDER BY format")
    assert [(k["kind"], k["format"]) for k in kinds] == [
        ("coded_export", "coded_csv"),
        ("coded_export", "coded_json"),
        ("document", "docx"),
    ]
    coded = read(
        "MATCH (e:Excerpt {speaker_role: 'charge nurse'})<-[:HAS_EXCERPT]-(c:Case) RETURN e.codes AS codes"
    )
    assert coded == [{"codes": ["enabler:peer champion"]}]
    for row in read("MATCH (s:Source) RETURN s.id AS id"):
        assert_spans_round_trip(row["id"])


CORPUS_CASES = {
    "000_94095633da63640a.txt": 2,  # PFCC phase 1 and phase 2
    "001_ab4c8c8d19656e41.txt": 1,  # one place-based rollout (document-level case)
    "002_c2902d1168a9bae5.txt": 7,  # seven Closing the Gap projects
    "003_a6bfc2fa0d36ede4.txt": 2,  # the TCAM deep dive and the review itself (spotlights are themes, QCA a method)
    "004_5b3818299aab1315.txt": 2,  # coached and toolkit-only arms
}


def test_all_five_corpus_documents_ingest(graph: Driver) -> None:
    corpus = shared_path("corpus")
    started = time.perf_counter()
    parsed = {name: parse_document(corpus / name) for name in CORPUS_CASES}
    parsing = time.perf_counter() - started
    results = {name: save_document(doc) for name, doc in parsed.items()}
    elapsed = time.perf_counter() - started
    print(
        f"\nfive corpus documents: {elapsed:.1f} s ({parsing:.1f} s parsing, {elapsed - parsing:.1f} s writing)"
    )
    for name, result in results.items():
        assert result.action == "created"
        assert len(read(CASES, {"id": result.source_id})) == CORPUS_CASES[name], name
        assert assert_spans_round_trip(result.source_id) == result.excerpts
    before = fingerprint()
    assert all(ingest_document(corpus / name, extract=False).action == "unchanged" for name in CORPUS_CASES)
    assert fingerprint() == before
    # The full ingest of content written without the model is still "unchanged": no second Source
    # or Excerpt, but it completes what the model adds (embeddings, search units).
    sources = read("MATCH (s:Source) RETURN count(s) AS n")[0]["n"]
    assert ingest_document(corpus / "000_94095633da63640a.txt").action == "unchanged"
    assert read("MATCH (s:Source) RETURN count(s) AS n")[0]["n"] == sources
    missing = "MATCH (e:Excerpt)-[:FROM]->(:Source {id: $id}) WHERE e.embedding IS NULL RETURN count(e) AS n"
    assert read(missing, {"id": results["000_94095633da63640a.txt"].source_id})[0]["n"] == 0
