"""Checks a file passes before and while it is read: its size, its text encoding, its emptiness.

Encodings, in order: a byte-order mark (UTF-32 LE/BE, UTF-8, UTF-16 LE/BE; the mark is dropped),
then strict UTF-8 (plain ASCII is recorded as UTF-8), then Windows-1252 (what Excel and Notepad
save on Western Windows). A file without a mark holding NUL bytes is binary (or UTF-16 without a
mark) and is refused, as is one that none of these decode. The stdlib codecs are enough: every
encoding we accept is either marked or told apart by strict UTF-8 decoding, so a detector library
(charset-normalizer, chardet) would only add guesses at encodings we do not accept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from spreadgraph.config import Settings, get_settings
from spreadgraph.errors import EmptyDocument, FileTooLarge, IngestError

LimitKind = Literal["text", "pdf", "docx", "export"]
LIMIT_FIELDS: dict[LimitKind, str] = {
    "text": "max_text_bytes",
    "pdf": "max_pdf_bytes",
    "docx": "max_docx_bytes",
    "export": "max_export_bytes",
}
KIND_NAMES: dict[LimitKind, str] = {
    "text": "text document",
    "pdf": "PDF",
    "docx": "DOCX",
    "export": "coded-excerpt export",
}
# (mark, codec, label recorded on the Source); UTF-32 LE first: its mark starts with UTF-16 LE's.
BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
)
HEAD_BYTES = 8192


def size_limit(kind: LimitKind, settings: Settings | None = None) -> tuple[int, str]:
    """The byte limit for a kind of file and the environment variable that sets it."""
    name = LIMIT_FIELDS[kind]
    alias = Settings.model_fields[name].alias or name.upper()
    return getattr(settings or get_settings(), name), alias


def _size(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB ({n:,} bytes)"


def check_size(path: Path, kind: LimitKind) -> int:
    """The file's size; FileTooLarge (from its size alone, nothing read) when over the limit."""
    size = path.stat().st_size
    limit, env = size_limit(kind)
    if size > limit:
        raise FileTooLarge(
            f"{path.name} is {_size(size)}, over the {_size(limit)} limit for a {KIND_NAMES[kind]} "
            f"(setting {env})",
            hint=f"split the file, or raise {env} (in bytes) to ingest it",
        )
    return size


def read_head(path: Path, n: int = HEAD_BYTES) -> bytes:
    """The first `n` bytes of a file (the rest is not read)."""
    with path.open("rb") as handle:
        return handle.read(n)


def bom_of(data: bytes) -> tuple[bytes, str, str] | None:
    """The byte-order mark the data starts with, as (mark, codec, label), or None."""
    return next((b for b in BOMS if data.startswith(b[0])), None)


def _line_of(data: bytes, index: int) -> int:
    return data[:index].count(b"\n") + 1


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding label) of a text file's bytes; IngestError when it is not text we read."""
    bom = bom_of(data)
    if bom:
        mark, codec, label = bom
        try:
            return data[len(mark) :].decode(codec), label
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"{name} is not valid {codec.upper()} text",
                hint=f"it starts with a {codec.upper()} byte-order mark, but byte {exc.start + len(mark)} "
                f"cannot be read ({exc.reason})",
            ) from None
    if b"\x00" in data[:HEAD_BYTES]:
        raise IngestError(
            f"{name} is not a text document",
            hint="it holds NUL bytes: a binary file, or UTF-16 without a byte-order mark",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{name} is neither UTF-8 nor Windows-1252 text",
            hint=f"byte 0x{data[exc.start]:02x} on line {_line_of(data, exc.start)} cannot be read; "
            "save the file as UTF-8",
        ) from None


def sniff_text(head: bytes) -> str:
    """The first bytes of a file as text, for deciding what it is (undecodable bytes replaced)."""
    bom = bom_of(head)
    if bom:
        return head[len(bom[0]) :].decode(bom[1], errors="replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the head's end
            return head[: exc.start].decode("utf-8")
    return head.decode("cp1252", errors="replace")


def refuse_empty(text: str, name: str) -> None:
    """EmptyDocument when the text is empty or only whitespace."""
    if not text.strip():
        what = "the file is empty" if not text else "the file holds only whitespace"
        raise EmptyDocument(f"{name}: empty document", hint=f"{what}; nothing was written")
