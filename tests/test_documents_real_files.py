"""Real-world files through ingest, against the session's Neo4j: other encodings are written with
spans into the decoded text; empty, oversize and wrong-column files are refused by
`spreadgraph ingest` with their reasons, and nothing is written. All files are invented here."""

from __future__ import annotations

import time
from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.dispatch import kind_of
from spreadgraph.ingest.documents.ingester import ingest_document

from tests.test_documents_file_checks import REPORT
from tests.test_documents_writer import assert_spans_round_trip
from tests.test_local_server import cli


def test_a_utf16_document_is_written_with_spans_into_the_decoded_text(graph: Driver, tmp_path: Path) -> None:
    path = tmp_path / "cafe-clinic.md"
    path.write_bytes(REPORT.encode("utf-16"))
    result = ingest_document(path, extract=False)
    assert result.action == "created"
    source = read("MATCH (s:Source {id: $id}) RETURN s.text AS text", {"id": result.source_id})[0]
    assert "\u20ac4,000 a site" in source["text"] and "\ufeff" not in source["text"]
    assert assert_spans_round_trip(result.source_id) == result.excerpts
    quote = read("MATCH (e:Excerpt {kind: 'quote'}) RETURN e.text AS text, e.speaker_role AS role")
    assert [q["role"] for q in quote] == ["clinic nurse"]


def test_the_encoding_is_recorded_on_the_source(graph: Driver, tmp_path: Path) -> None:
    for name, data in (("a.txt", REPORT.encode("utf-16")), ("b.txt", REPORT.encode("cp1252"))):
        (tmp_path / name).write_bytes(data)
        ingest_document(tmp_path / name, extract=False)
    rows = read("MATCH (s:Source) RETURN s.file_name AS name, s.encoding AS encoding ORDER BY name")
    assert rows == [{"name": "a.txt", "encoding": "utf-16-le"}, {"name": "b.txt", "encoding": "windows-1252"}]


def test_a_windows_1252_export_ingests_through_the_cli_kind(graph: Driver, tmp_path: Path) -> None:
    path = tmp_path / "excel-codes.csv"
    path.write_bytes(
        "quote;speaker_role;codes\r\n\u201cThe caf\u00e9 corner gave us privacy.\u201d;volunteer;enabler:space\r\n".encode(
            "cp1252"
        )
    )
    kind = kind_of(path)
    assert kind is not None and kind.name == "document"
    assert "created" in kind.ingest(path)
    rows = read("MATCH (e:Excerpt)-[:FROM]->(s:Source) RETURN e.text AS text, s.format AS format")
    assert rows == [{"text": "\u201cThe caf\u00e9 corner gave us privacy.\u201d", "format": "coded_csv"}]


def test_cli_refuses_empty_oversize_and_wrong_column_files_and_writes_nothing(
    graph: Driver, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("\n   \n\t\n", encoding="utf-8")
    (folder / "blank-unicode.txt").write_bytes(" \r\n ".encode("utf-16"))
    with (folder / "dump.txt").open("wb") as handle:
        handle.truncate(63_000_000)  # the 63 MB text file, sparse
    (folder / "codes.csv").write_text("Quotation,role\nWe met weekly.,nurse\n", encoding="utf-8")
    (folder / "codes.json").write_text('[{"Quotation": "We met weekly.", "speaker": "P1"}]', encoding="utf-8")
    before = fingerprint()
    began = time.monotonic()
    done = cli("ingest", str(folder))
    took = time.monotonic() - began
    assert done.returncode == 1, done.stdout + done.stderr
    err = done.stderr
    for name in ("empty.txt", "blank.md", "blank-unicode.txt"):
        assert f"{folder / name}: {name}: empty document" in err
    assert (
        f"{folder / 'dump.txt'}: dump.txt is 63.0 MB (63,000,000 bytes), over the 20.0 MB (20,000,000 bytes) "
        "limit for a text document (setting SPREADGRAPH_MAX_TEXT_BYTES)"
    ) in err
    assert (
        "codes.csv: missing column: quote (or text, excerpt, coded_text, segment); unknown columns: Quotation"
        in err
    )
    assert (
        "codes.json: missing field: quote (or text, excerpt, coded_text, segment); unknown fields: Quotation"
        in err
    )
    assert "not a file type" not in err
    assert "0 of 6 file(s) ingested" in err
    assert fingerprint() == before
    assert took < 120, f"refusals took {took:.0f} s"
