"""Readers: one file in, a `RawDocument` out (text layer untouched, sha256 of the raw bytes).

The kind is chosen by extension and confirmed by content: a `.pdf` must start with `%PDF`, a
`.docx` must be a zip; a `.csv`/`.json` is a coded-excerpt export when its header or records
have any export column (`quote`, `speaker`, `codes`, ...), otherwise it is read as text. Before
a file is read its size is checked against its kind's limit; text is decoded by
`file_checks.decode_text` (the encoding is recorded); an empty or whitespace-only file, and an
export without a quote column, are refused. Every refusal is an `IngestError` (422; 413 for size).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any, ClassVar

from spreadgraph.schema.document_models import CodedRecord, RawDocument, SourceFormat

from spreadgraph.errors import ExportColumns, IngestError

from .file_checks import LimitKind, check_size, decode_text, read_head, refuse_empty, size_limit, sniff_text

QUOTE_KEYS = ("quote", "text", "excerpt", "coded_text", "segment")
SPEAKER_KEYS = ("speaker", "participant", "participant_id", "respondent")
ROLE_KEYS = ("speaker_role", "role", "participant_role")
SOURCE_KEYS = ("source", "document", "source_file", "file")
CASE_KEYS = ("case", "case_name", "site", "project")
CODE_KEYS = ("codes", "tags", "code")
EXPORT_KEYS = frozenset(QUOTE_KEYS + SPEAKER_KEYS + ROLE_KEYS + SOURCE_KEYS + CASE_KEYS + CODE_KEYS)
TEMPLATE_KEYS = ("innovation", "template_version", "spread_status", "contexts", "adoptions")
DELIMITERS = (",", ";", "\t")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def column_key(name: object) -> str:
    """A column or field name as matched: lower case, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", str(name).strip().strip('"').lower())


class DocumentReader:
    """Base reader: `run(path)` checks the size, reads, decodes and returns the file's raw text."""

    source_format: ClassVar[SourceFormat] = "text"
    limit: ClassVar[LimitKind] = "text"

    def run(self, path: Path) -> RawDocument:
        check_size(path, self.limit)
        data = path.read_bytes()
        if not data or data.isspace():
            refuse_empty(data.decode("ascii"), path.name)
        text, encoding = self.read(data, path)
        refuse_empty(text, path.name)
        return RawDocument(
            path=str(path),
            file_name=path.name,
            source_format=self.source_format,
            text=text,
            content_hash=sha256(data),
            encoding=encoding,
        )

    def read(self, data: bytes, path: Path) -> tuple[str, str | None]:
        """The text and the encoding it was decoded from (None for binary formats)."""
        return decode_text(data, path.name)


class TextReader(DocumentReader):
    source_format = "text"


class MarkdownReader(DocumentReader):
    source_format = "markdown"


class PdfReader(DocumentReader):
    """The PDF text layer (pypdf), pages joined by a blank line; scanned PDFs have no text."""

    source_format = "pdf"
    limit = "pdf"

    def read(self, data: bytes, path: Path) -> tuple[str, str | None]:
        return self.extract(data, path), None

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
    limit = "docx"

    def read(self, data: bytes, path: Path) -> tuple[str, str | None]:
        return self.extract(data, path), None

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


def _pick(row: dict[Any, Any], keys: tuple[str, ...]) -> Any:
    lowered = {column_key(k): v for k, v in row.items() if k is not None}
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


def check_columns(columns: list[str], name: str, what: str = "column") -> None:
    """ExportColumns naming the missing quote column and every unknown column, when it lacks one."""
    if any(column_key(c) in QUOTE_KEYS for c in columns):
        return
    unknown = [str(c) for c in columns if column_key(c) not in EXPORT_KEYS]
    message = f"{name}: missing {what}: quote (or {', '.join(QUOTE_KEYS[1:])})"
    if unknown:
        message += f"; unknown {what}s: {', '.join(unknown)}"
    raise ExportColumns(
        message,
        hint=f"a coded-excerpt export needs a quote {what}; spreadgraph also reads speaker, "
        f"speaker_role (or role), source, case and codes (or tags); other {what}s are ignored",
    )


def csv_delimiter(header: str) -> str:
    """The header line's delimiter: comma, semicolon (European Excel) or tab, whichever is most used."""
    return max(DELIMITERS, key=header.count)


def export_records(payload: Any) -> list[dict[str, Any]] | None:
    """The records of a JSON export (a list of objects, or {"excerpts": [...]}), or None when the
    payload is not one (a case template, or an object holding no list of export records)."""
    wrapped = isinstance(payload, dict)
    if wrapped:
        if any(k in payload for k in TEMPLATE_KEYS):
            return None
        payload = next((v for v in payload.values() if isinstance(v, list)), None)
    if not isinstance(payload, list) or not payload or not all(isinstance(r, dict) for r in payload):
        return None
    if wrapped and not any(column_key(k) in EXPORT_KEYS for r in payload[:20] for k in r):
        return None
    return payload


class CodedExcerptReader(DocumentReader):
    """A QDA export (CSV with a header, or JSON list / {"excerpts": [...]}) of coded quotes."""

    limit = "export"

    def run(self, path: Path) -> RawDocument:
        check_size(path, self.limit)
        data = path.read_bytes()
        text, encoding = decode_text(data, path.name)
        refuse_empty(text, path.name)
        rows = self.table(text, path)
        records = [r for r in (coded_record(row) for row in rows) if r]
        if not records:
            hint = "every row's quote is empty" if rows else "it has a header but no rows"
            raise IngestError(f"{path.name} has no coded excerpts", hint=hint)
        fmt: SourceFormat = "coded_json" if path.suffix.lower() == ".json" else "coded_csv"
        return RawDocument(
            path=str(path),
            file_name=path.name,
            source_format=fmt,
            text=text,
            content_hash=sha256(data),
            records=records,
            encoding=encoding,
        )

    @staticmethod
    def table(text: str, path: Path) -> list[dict[str, Any]]:
        """The export's rows; ExportColumns when they have no quote column."""
        if path.suffix.lower() == ".json":
            try:
                payload = json.loads(text)
            except json.JSONDecodeError as exc:
                raise IngestError(f"{path.name} is not valid JSON", hint=str(exc)) from exc
            rows = export_records(payload)
            if rows is None:
                raise IngestError(
                    f"{path.name} is not a coded-excerpt export",
                    hint='expected a list of records with a "quote" field, or {"excerpts": [...]}',
                )
            check_columns(list(dict.fromkeys(k for r in rows for k in r)), path.name, "field")
            return rows
        reader = csv.DictReader(io.StringIO(text), delimiter=csv_delimiter(text.split("\n", 1)[0]))
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise IngestError(f"{path.name}, line {reader.line_num}: not valid CSV", hint=str(exc)) from exc
        check_columns(list(reader.fieldnames or []), path.name)
        return rows


def looks_coded(data: bytes, suffix: str) -> bool:
    """True when a .csv header (or a .json head) names any export column: an export, right or wrong."""
    head = sniff_text(data)
    if suffix == ".csv":
        header = head.splitlines()[0] if head else ""
        columns = next(csv.reader([header], delimiter=csv_delimiter(header)), [])
        return any(column_key(c) in EXPORT_KEYS for c in columns)
    return any(f'"{k}"' in head.lower() for k in QUOTE_KEYS)


def looks_coded_json(path: Path) -> bool:
    """True when a .json file is a coded-excerpt export rather than a case template.

    A file over the export size limit is not parsed: a head starting with '[' or naming no
    template field counts as an export (so the reader refuses it for its size).
    """
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        if path.stat().st_size > size_limit("export")[0]:
            head = sniff_text(read_head(path)).lstrip("\ufeff \t\r\n")
            return head.startswith("[") or not any(f'"{k}"' in head for k in TEMPLATE_KEYS)
        payload = json.loads(decode_text(path.read_bytes(), path.name)[0])
    except (IngestError, ValueError, OSError):
        return False
    return export_records(payload) is not None


def reader_for(path: Path) -> DocumentReader:
    """The reader for a file, by extension confirmed by its first bytes (the rest is not read)."""
    if not path.is_file():
        raise IngestError(f"{path} is not a file")
    suffix = path.suffix.lower()
    head = read_head(path)
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        return PdfReader()
    if suffix == ".docx":
        return DocxReader()
    if (suffix == ".csv" and looks_coded(head, suffix)) or looks_coded_json(path):
        return CodedExcerptReader()
    if suffix in (".md", ".markdown"):
        return MarkdownReader()
    return TextReader()
