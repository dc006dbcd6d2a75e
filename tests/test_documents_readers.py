"""Readers: kind detection, PDF and DOCX generated here, malformed files, coded exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spreadgraph.ingest.documents.parsing import parse_document
from spreadgraph.ingest.documents.readers import (
    CodedExcerptReader,
    DocxReader,
    MarkdownReader,
    PdfReader,
    TextReader,
    reader_for,
)

from spreadgraph.errors import IngestError


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a Helvetica text layer, offsets computed for a valid xref table."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        ops.append("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_text_layer_is_read_and_parsed(tmp_path: Path) -> None:
    path = tmp_path / "pilot.pdf"
    path.write_bytes(
        minimal_pdf(
            [
                "Lessons from a ward pilot of bedside handover",
                "",
                "'We finally saw the same plan at every shift change.'",
                "",
                "Staff Nurse",
            ]
        )
    )
    assert isinstance(reader_for(path), PdfReader)
    doc = parse_document(path)
    assert doc.source_format == "pdf"
    quote = next(q for q in doc.quotes() if "same plan" in q.text)
    assert doc.text[quote.start : quote.end] == quote.text


def test_docx_is_read(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Community pharmacy referral pilot", 1)
    document.add_paragraph("'The referral arrived before the patient got home, which never used to happen.'")
    document.add_paragraph("Community Pharmacist")
    path = tmp_path / "pilot.docx"
    document.save(str(path))
    assert isinstance(reader_for(path), DocxReader)
    doc = parse_document(path)
    assert doc.quotes()[0].speaker_role == "Community Pharmacist"


@pytest.mark.parametrize(
    "name,data",
    [
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF"),
        ("fake.pdf", b"just some text"),
        ("broken.docx", b"PK\x03\x04 not a real zip"),
        ("fake.docx", b"plain words"),
    ],
)
def test_malformed_pdf_and_docx_raise_a_clear_ingest_error(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        parse_document(path)
    assert info.value.status == 422 and name in info.value.message
    assert info.value.as_dict()["error"]["code"] == "ingest"


def test_kind_is_detected_by_extension_and_content(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Title\n\nBody.")
    (tmp_path / "b.txt").write_text("Body.")
    (tmp_path / "c.csv").write_text("region,count\nnorth,3\n")
    (tmp_path / "d.csv").write_text("quote,role\nsomething true,nurse\n")
    (tmp_path / "e.bin").write_bytes(b"%PDF-1.4 rest")
    assert isinstance(reader_for(tmp_path / "a.md"), MarkdownReader)
    assert isinstance(reader_for(tmp_path / "b.txt"), TextReader)
    assert isinstance(reader_for(tmp_path / "c.csv"), TextReader)
    assert isinstance(reader_for(tmp_path / "d.csv"), CodedExcerptReader)
    assert isinstance(reader_for(tmp_path / "e.bin"), PdfReader)


def test_coded_csv_export(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text(
        "source,case,speaker_role,codes,quote\n"
        'r.txt,North,Porter,barrier:lack of time; enabler:peer support,"We ran out of hours, honestly."\n'
        "r.txt,,Matron,approach:training,The course was worth it.\n"
    )
    doc = parse_document(path)
    first, second = doc.excerpts
    assert first.codes == ["barrier:lack of time", "enabler:peer support"]
    assert (first.speaker_role, first.case_key, first.section) == ("Porter", "north", "r.txt")
    assert second.case_key is None and doc.text[second.start : second.end] == second.text
    assert [c.key for c in doc.cases] == ["north"]


def test_coded_json_export(tmp_path: Path) -> None:
    path = tmp_path / "codes.json"
    path.write_text(
        json.dumps(
            {
                "excerpts": [
                    {
                        "quote": "It just clicked.",
                        "participant": "P07",
                        "role": "GP",
                        "tags": ["outcome:confidence"],
                    }
                ]
            }
        )
    )
    doc = parse_document(path)
    assert doc.source_format == "coded_json"
    assert (doc.excerpts[0].speaker, doc.excerpts[0].codes) == ("P07", ["outcome:confidence"])
