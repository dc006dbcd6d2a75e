"""Readers on real-world files: encodings, empty files, size limits, exports with the wrong columns.

Every file is invented here, in tmp_path. No Neo4j: nothing here writes (see
test_documents_real_files.py for the refusals through ingest, with nothing written).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from spreadgraph.ingest.dispatch import kind_of
from spreadgraph.ingest.documents.file_checks import decode_text, size_limit
from spreadgraph.ingest.documents.parsing import parse_document
from spreadgraph.ingest.documents.readers import CodedExcerptReader, TextReader, reader_for

from spreadgraph.config import get_settings
from spreadgraph.errors import EmptyDocument, ExportColumns, FileTooLarge, IngestError

# Invented text with characters outside ASCII that Windows-1252 also has (é, curly quotes, dash, €).
REPORT = (
    "# Café-based memory clinic: a spread review\n\n"
    "## What happened\n\n"
    "The clinic moved into three community cafés in 2021 \u2014 the budget was \u20ac4,000 a site.\n\n"
    "\u2018We stopped losing people between the letter and the first visit.\u2019 (clinic nurse)\n\n"
    "Volunteers ran the welcome desk; the café owners kept a quiet corner free.\n"
)
ENCODINGS = [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("utf-16-le", b"\xff\xfe", "utf-16-le"),
    ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32-le"),
    ("utf-32-be", b"\x00\x00\xfe\xff", "utf-32-be"),
    ("cp1252", b"", "windows-1252"),
]


@pytest.fixture
def limits() -> Iterator[None]:
    """Settings read afresh from the environment, and again after the test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("codec", "bom", "label"), ENCODINGS)
def test_each_encoding_round_trips_with_its_text_spans_and_label(
    tmp_path: Path, codec: str, bom: bytes, label: str
) -> None:
    path = tmp_path / "cafe-clinic.md"
    path.write_bytes(bom + REPORT.encode(codec))
    raw = reader_for(path).run(path)
    assert (raw.text, raw.encoding) == (REPORT, label)
    doc = parse_document(path)
    assert doc.encoding == label
    quote = next(q for q in doc.quotes() if "letter and the first visit" in q.text)
    assert quote.speaker_role == "clinic nurse"
    for excerpt in doc.excerpts:
        assert doc.text[excerpt.start : excerpt.end] == excerpt.text
    assert "\u20ac4,000" in doc.text and "\ufeff" not in doc.text


def test_a_notepad_unicode_txt_file_is_a_document_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(REPORT.encode("utf-16"))  # Python writes the BOM, as Notepad's "Unicode" does
    assert kind_of(path) is not None and kind_of(path).name == "document"
    assert isinstance(reader_for(path), TextReader)
    assert parse_document(path).encoding in ("utf-16-le", "utf-16-be")


def test_plain_ascii_is_recorded_as_utf8() -> None:
    assert decode_text(b"Plain words only.\n", "a.txt") == ("Plain words only.\n", "utf-8")


@pytest.mark.parametrize(
    ("data", "message", "hint"),
    [
        (b"line one\nline \x81 two\n", "neither UTF-8 nor Windows-1252", "byte 0x81 on line 2"),
        (b"N\x00o\x00 \x00B\x00O\x00M\x00", "not a text document", "without a byte-order mark"),
        (b"\xff\xfeA\x00B", "not valid UTF-16-LE text", "byte-order mark"),
    ],
)
def test_undecodable_text_is_refused_with_the_reason(
    tmp_path: Path, data: bytes, message: str, hint: str
) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        parse_document(path)
    assert message in info.value.message and "odd.txt" in info.value.message
    assert hint in (info.value.hint or "")
    assert info.value.status == 422


@pytest.mark.parametrize(
    ("name", "data", "hint"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.md", b"  \n\t\r\n   \n", "only whitespace"),
        ("blank16.txt", "\n   \n\t".encode("utf-16"), "only whitespace"),
        ("blank.csv", b"\xef\xbb\xbf\r\n", "only whitespace"),
        ("empty.pdf", b"", "the file is empty"),
        ("empty.docx", b"", "the file is empty"),
    ],
)
def test_empty_and_whitespace_only_files_are_refused(
    tmp_path: Path, name: str, data: bytes, hint: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(EmptyDocument) as info:
        parse_document(path)
    assert info.value.message == f"{name}: empty document"
    assert hint in (info.value.hint or "")
    assert info.value.as_dict()["error"]["code"] == "empty_document" and info.value.status == 422


def test_a_docx_with_no_text_is_an_empty_document(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("   ")
    document.save(str(tmp_path / "blank.docx"))
    with pytest.raises(EmptyDocument, match=r"blank\.docx: empty document"):
        parse_document(tmp_path / "blank.docx")


@pytest.mark.parametrize(
    ("name", "header", "kind", "env"),
    [
        ("huge.txt", b"", "text document", "SPREADGRAPH_MAX_TEXT_BYTES"),
        ("huge.md", b"# Title\n", "text document", "SPREADGRAPH_MAX_TEXT_BYTES"),
        ("huge.pdf", b"%PDF-1.7\n", "PDF", "SPREADGRAPH_MAX_PDF_BYTES"),
        ("huge.docx", b"PK\x03\x04", "DOCX", "SPREADGRAPH_MAX_DOCX_BYTES"),
        ("huge.csv", b"quote,role\n", "coded-excerpt export", "SPREADGRAPH_MAX_EXPORT_BYTES"),
        ("huge.json", b'[{"quote": "a"},', "coded-excerpt export", "SPREADGRAPH_MAX_EXPORT_BYTES"),
    ],
)
def test_an_oversize_file_is_refused_at_once_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, header: bytes, kind: str, env: str
) -> None:
    path = tmp_path / name
    path.write_bytes(header)
    size = 1_000_000_000  # 1 GB, sparse: over every default limit; reading it would take seconds
    with path.open("r+b") as handle:
        handle.truncate(size)

    def no_reading(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    began = time.monotonic()
    with pytest.raises(FileTooLarge) as info:
        parse_document(path)
    assert time.monotonic() - began < 1.0
    message = info.value.message
    assert message.startswith(f"{name} is {size / 1e6:,.1f} MB ({size:,} bytes), over the ")
    assert f"limit for a {kind} (setting {env})" in message
    assert info.value.status == 413 and info.value.as_dict()["error"]["code"] == "file_too_large"
    assert kind_of(path) is not None and kind_of(path).name == "document"


def test_the_limit_is_a_setting_and_names_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limits: None
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Twenty-five bytes of text", encoding="utf-8")
    assert parse_document(path).text.startswith("Twenty-five")
    monkeypatch.setenv("SPREADGRAPH_MAX_TEXT_BYTES", "24")
    get_settings.cache_clear()
    assert size_limit("text") == (24, "SPREADGRAPH_MAX_TEXT_BYTES")
    with pytest.raises(FileTooLarge) as info:
        parse_document(path)
    assert "0.0 MB (25 bytes), over the 0.0 MB (24 bytes) limit" in info.value.message
    assert "SPREADGRAPH_MAX_TEXT_BYTES" in (info.value.hint or "")


def test_default_limits_are_generous_for_real_documents() -> None:
    settings = get_settings()
    assert settings.max_text_bytes == settings.max_export_bytes == 20_000_000
    assert (settings.max_docx_bytes, settings.max_pdf_bytes) == (50_000_000, 100_000_000)


def test_csv_with_the_wrong_columns_names_missing_and_unknown(tmp_path: Path) -> None:
    path = tmp_path / "nvivo-export.csv"
    path.write_text('Quotation,Participant,Coding\n"We met on Fridays.",P2,enabler:time\n', encoding="utf-8")
    assert kind_of(path) is not None and kind_of(path).name == "document"
    assert isinstance(reader_for(path), CodedExcerptReader)
    with pytest.raises(ExportColumns) as info:
        parse_document(path)
    assert info.value.message == (
        "nvivo-export.csv: missing column: quote (or text, excerpt, coded_text, segment); "
        "unknown columns: Quotation, Coding"
    )
    assert "speaker_role" in (info.value.hint or "") and info.value.status == 422
    assert info.value.as_dict()["error"]["code"] == "export_columns"


def test_json_with_the_wrong_fields_names_missing_and_unknown(tmp_path: Path) -> None:
    path = tmp_path / "atlas-export.json"
    path.write_text(json.dumps([{"Quotation": "It stuck.", "role": "GP", "Memo": "x"}]), encoding="utf-8")
    assert kind_of(path) is not None and kind_of(path).name == "document"
    with pytest.raises(ExportColumns) as info:
        parse_document(path)
    assert info.value.message == (
        "atlas-export.json: missing field: quote (or text, excerpt, coded_text, segment); "
        "unknown fields: Quotation, Memo"
    )


def test_a_broken_case_template_in_json_stays_a_template(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"title": "x", "contexts": [{"setting": "ward"}]}), encoding="utf-8")
    assert kind_of(path) is not None and kind_of(path).name == "template"


def test_a_table_with_no_export_column_is_not_an_export(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("region,count\nnorth,3\n", encoding="utf-8")
    assert kind_of(path) is None


def test_excel_exports_semicolons_windows_1252_and_spaced_headers(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = "Coded Text;Speaker Role;Codes;Notes\r\n\u201cThe caf\u00e9 room worked.\u201d;porter;barrier:space\r\n"
    path.write_bytes(text.encode("cp1252"))
    doc = parse_document(path)
    assert doc.encoding == "windows-1252" and doc.source_format == "coded_csv"
    (excerpt,) = doc.excerpts
    assert (excerpt.text, excerpt.speaker_role, excerpt.codes) == (
        "\u201cThe caf\u00e9 room worked.\u201d",
        "porter",
        ["barrier:space"],
    )
    assert doc.text[excerpt.start : excerpt.end] == excerpt.text


def test_utf16_tab_separated_export(tmp_path: Path) -> None:
    path = tmp_path / "unicode-text.csv"
    path.write_bytes("quote\trole\nIt was worth the wait.\tmatron\n".encode("utf-16"))
    doc = parse_document(path)
    assert doc.encoding in ("utf-16-le", "utf-16-be")
    assert [(e.text, e.speaker_role) for e in doc.excerpts] == [("It was worth the wait.", "matron")]


def test_an_export_with_a_header_and_no_rows_says_so(tmp_path: Path) -> None:
    path = tmp_path / "header-only.csv"
    path.write_text("quote,role\n", encoding="utf-8")
    with pytest.raises(IngestError, match="has no coded excerpts") as info:
        parse_document(path)
    assert info.value.hint == "it has a header but no rows"
