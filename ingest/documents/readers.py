"""Readers: one file in, a `RawDocument` out (text layer untouched, sha256 of the raw bytes).

The kind is chosen by extension and confirmed by content: a `.pdf` must start with `%PDF`, a
`.docx` must be a zip; a `.csv`/`.json` is a coded-excerpt export only when it has a quote
column/field, otherwise it is read as text. Unreadable files raise `IngestError` (422).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any, ClassVar

from spreadgraph.schema.document_models import CodedRecord, RawDocument, SourceFormat

from spreadgraph.errors import IngestError

QUOTE_KEYS = ("quote", "text", "excerpt", "coded_text", "segment")
SPEAKER_KEYS = ("speaker", "participant", "participant_id", "respondent")
ROLE_KEYS = ("speaker_role", "role", "participant_role")
SOURCE_KEYS = ("source", "document", "source_file", "file")
CASE_KEYS = ("case", "case_name", "site", "project")
CODE_KEYS = ("codes", "tags", "code")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentReader:
    """Base reader: `run(path)` returns the file's raw text and identity."""

    source_format: ClassVar[SourceFormat] = "text"

    def run(self, path: Path) -> RawDocument:
        data = path.read_bytes()
        return RawDocument(
            path=str(path),
            file_name=path.name,
            source_format=self.source_format,
            text=self.extract(data, path),
            content_hash=sha256(data),
        )

    def extract(self, data: bytes, path: Path) -> str:
        return data.decode("utf-8-sig", errors="replace")


class TextReader(DocumentReader):
    source_format = "text"


class MarkdownReader(DocumentReader):
    source_format = "markdown"


class PdfReader(DocumentReader):
    """The PDF text layer (pypdf), pages joined by a blank line; scanned PDFs have no text."""

    source_format = "pdf"

    def extract(self, data: bytes, path: Path) -> str:
        from pypdf import PdfReader as _Pdf
        from pypdf.errors import PyPdfError

        if not data.lstrip().startswith(b"%PDF"):
            raise IngestError(f"{path.name} is not a PDF file", hint="it does not start with %PDF")
        try:
            pages = [page.extract_text() or "" for page in _Pdf(io.BytesIO(data), strict=False).pages]
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
            raise IngestError(f"{path.name} is a malformed PDF", hint=str(exc)[:200]) from exc
        text = "\n\n".join(p.strip("\n") for p in pages)
        if not text.strip():
            raise IngestError(f"{path.name} has no text layer", hint="scanned PDFs need OCR first")
        return text


class DocxReader(DocumentReader):
    """Paragraphs of a .docx (python-docx), one per line with a blank line between."""

    source_format = "docx"

    def extract(self, data: bytes, path: Path) -> str:
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise IngestError(f"{path.name} is a malformed DOCX", hint="it is not a zip package")
        try:
            document = docx.Document(io.BytesIO(data))
        except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise IngestError(f"{path.name} is a malformed DOCX", hint=str(exc)[:200]) from exc
        blocks = [p.text for p in document.paragraphs if p.text.strip()]
        for table in document.tables:
            for row in table.rows:
                blocks.append("\t".join(cell.text for cell in row.cells))
        return "\n\n".join(blocks)


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for key in keys:
        if lowered.get(key) not in (None, ""):
            return lowered[key]
    return None


def _codes(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).replace("|", ";").split(";")
    return [str(c).strip() for c in items if str(c).strip()]


def coded_record(row: dict[str, Any]) -> CodedRecord | None:
    """A coded-export row as a record, or None when it has no quote."""
    quote = _pick(row, QUOTE_KEYS)
    if not quote or not str(quote).strip():
        return None
    text = lambda keys: (str(v).strip() or None) if (v := _pick(row, keys)) is not None else None  # noqa: E731
    return CodedRecord(
        quote=str(quote).strip(),
        speaker=text(SPEAKER_KEYS),
        speaker_role=text(ROLE_KEYS),
        source=text(SOURCE_KEYS),
        case=text(CASE_KEYS),
        codes=_codes(_pick(row, CODE_KEYS)),
    )


class CodedExcerptReader(DocumentReader):
    """A QDA export (CSV with a header, or JSON list / {"excerpts": [...]}) of coded quotes."""

    def run(self, path: Path) -> RawDocument:
        data = path.read_bytes()
        rows = self.rows(data, path)
        records = [r for r in (coded_record(row) for row in rows) if r]
        if not records:
            raise IngestError(f"{path.name} has no coded excerpts", hint="expected a 'quote' column")
        fmt: SourceFormat = "coded_json" if path.suffix.lower() == ".json" else "coded_csv"
        return RawDocument(
            path=str(path),
            file_name=path.name,
            source_format=fmt,
            text=data.decode("utf-8-sig", errors="replace"),
            content_hash=sha256(data),
            records=records,
        )

    @staticmethod
    def rows(data: bytes, path: Path) -> list[dict[str, Any]]:
        text = data.decode("utf-8-sig", errors="replace")
        if path.suffix.lower() == ".json":
            try:
                payload = json.loads(text)
            except json.JSONDecodeError as exc:
                raise IngestError(f"{path.name} is not valid JSON", hint=str(exc)) from exc
            if isinstance(payload, dict):
                payload = next((v for k, v in payload.items() if isinstance(v, list)), [])
            return [r for r in payload if isinstance(r, dict)]
        return list(csv.DictReader(io.StringIO(text)))


def looks_coded(data: bytes, suffix: str) -> bool:
    """True when a .csv/.json file has a quote-like column (a coded export, not a table)."""
    head = data[:4096].decode("utf-8-sig", errors="replace").lower()
    if suffix == ".csv":
        header = head.splitlines()[0] if head else ""
        return any(k in [c.strip().strip('"') for c in header.split(",")] for k in QUOTE_KEYS)
    return any(f'"{k}"' in head for k in QUOTE_KEYS)


def reader_for(path: Path) -> DocumentReader:
    """The reader for a file, by extension confirmed by content."""
    if not path.is_file():
        raise IngestError(f"{path} is not a file")
    suffix = path.suffix.lower()
    head = path.read_bytes()[:8192]
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        return PdfReader()
    if suffix == ".docx":
        return DocxReader()
    if suffix in (".csv", ".json") and looks_coded(head, suffix):
        return CodedExcerptReader()
    if suffix in (".md", ".markdown"):
        return MarkdownReader()
    if b"\x00" in head:
        raise IngestError(f"{path.name} is not a text document", hint=f"unsupported type {suffix or '?'}")
    return TextReader()
