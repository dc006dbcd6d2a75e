"""Segmenter: cleaned text -> paragraphs, headings/sections and document metadata.

A paragraph is a block between blank lines. A heading is a short one-line paragraph without
closing punctuation (numbered like `3.1.4 Barriers` or not); a short line right after a quote
that names a role is left to the attributor, not taken as a heading.
"""

from __future__ import annotations

import re

from spreadgraph.schema.document_models import CleanedText, Metadata, Paragraph, Section, StructuredDocument

NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=[A-Z])")
ROLE_WORDS = re.compile(
    r"\b(nurse|therapist|manager|practitioner|stakeholders?|staff|provider|group|member|lead|patient|"
    r"gp|doctor|champions?|coach(?:ee)?|consultant|agent|navigator|officer|director|commissioner|clinician|"
    r"worker|participants?|interviewee|respondent|users?|carer|coordinator|pharmacist|physician|"
    r"administrator|chair|leader|educator|site|team|partner|representative|volunteer|"
    r"general practitioner|matron|receptionist|therapist)s?\b",
    re.I,
)
CODE = re.compile(r"\b\d{2}-[A-Z]{2}-\d{3}\b")
QUOTE_CHARS = "'\"‘“"
CLOSE_CHARS = "'\"’”"
MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+((?:19|20)\d{2})\b"
)


def paragraphs_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block between blank lines, trimmed."""
    spans = []
    for m in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        spans.append((s, e))
    return spans


def is_quote_block(block: str) -> bool:
    """A block that opens with a quote mark and closes one (possibly before an attribution)."""
    block = block.strip().lstrip("*")
    return bool(block) and block[0] in QUOTE_CHARS and any(c in block[1:] for c in CLOSE_CHARS)


def looks_like_role_line(line: str) -> bool:
    """A short line naming who spoke: a role word or a participant code, no sentence punctuation."""
    line = line.strip()
    if not line or len(line) > 120 or "\n" in line or len(line.split()) > 14:
        return False
    if line[-1] in ".?!:;" and not line.endswith(")"):
        return False
    return bool(CODE.search(line) or ROLE_WORDS.search(line))


def heading_level(line: str) -> int | None:
    """The level of a heading line, or None when the line is not a heading."""
    line = line.strip()
    if not line or "\n" in line or len(line) > 100 or line[0] in QUOTE_CHARS + "-•–(*[":
        return None
    if line[-1] in ".,;:!?\"'”’" or len(line.split()) > 14 or "\t" in line:
        return None
    m = NUMBERED.match(line)
    if m:
        return m.group("num").count(".") + 1
    if not (line[0].isupper() or line[0].isdigit()) or re.fullmatch(r"[\d\s.,%()-]+", line):
        return None
    return 2 if len(line.split()) <= 12 else None


def _is_names(block: str) -> list[str]:
    """The names in a by-line like 'A Smith & B Jones' (empty when the block is not one)."""
    if "\n" in block or len(block.split()) > 12:
        return []
    names = re.split(r"\s*(?:&|,| and )\s*", re.sub(r"\s*\^\{?[a-z,]+\}?", "", block))
    pattern = r"(?:Dr |Prof(?:essor)? )?[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,2}"
    return names if len(names) >= 2 and all(re.fullmatch(pattern, n) for n in names) else []


def _authors(head: list[str]) -> list[str]:
    """Authors from a by-line, else from a bulleted study-team list."""
    for block in head:
        if names := _is_names(block):
            return names
    for block in head:
        bullets = re.findall(r"^- (?:Dr |Professor |Prof )?([A-Z][\w'-]+(?: [A-Z][\w'-]+){1,2})", block, re.M)
        if len(bullets) >= 2:
            return bullets
    return []


def find_metadata(cleaned: CleanedText, paragraphs: list[tuple[int, int]]) -> Metadata:
    """Title, authors, year and type from the first page (None/[] where not printed)."""
    text, raw = cleaned.text, cleaned.raw.text
    head = [text[s:e] for s, e in paragraphs[:14]]
    title_parts: list[str] = []
    authors = _authors(head)
    for block in head:
        if block in authors or _is_names(block):
            break
        if len(block) > 200:
            break
        if (
            "\n" not in block
            and len(block.split()) >= 4
            and heading_level(block)
            and not NUMBERED.match(block)
        ):
            if block in title_parts:
                break
            title_parts.append(block)
            if len(title_parts) == 2:
                break
        elif title_parts:
            break
    year = None
    for pattern, source in (
        (r"Published[^\n]{0,40}?\b((?:19|20)\d{2})\b", raw[:4000]),
        (r"\(((?:19|20)\d{2})\)", raw[:3000]),
        (MONTH_YEAR.pattern, text[:3000]),
    ):
        m = re.search(pattern, source)
        if m:
            year = int(m.group(m.lastindex or 1))
            break
    probe = text[:3000].lower()
    title_l = " ".join(title_parts).lower()
    headings = {text[s:e].strip().lower() for s, e in paragraphs}
    kind = None
    if "review" in title_l:
        kind = "review"
    elif "evaluation" in title_l or "report" in title_l:
        kind = "evaluation"
    elif any(k in probe for k in ("abstract", "journal", "doi")) or {"background", "methods"} <= headings:
        kind = "article"
    elif "evaluation" in probe or re.search(r"\breport\b", probe):
        kind = "evaluation"
    return Metadata(title=": ".join(title_parts) or None, authors=authors, year=year, source_type=kind)


class DocumentSegmenter:
    """`run(CleanedText) -> StructuredDocument`: paragraphs, sections and metadata."""

    def run(self, cleaned: CleanedText) -> StructuredDocument:
        text = cleaned.text
        spans = paragraphs_of(text)
        paragraphs: list[Paragraph] = []
        sections: list[Section] = []
        current: str | None = None
        previous = ""
        for s, e in spans:
            block = text[s:e]
            level = heading_level(block)
            ends_quote = is_quote_block(previous) or previous.rstrip(" .*")[-1:] in CLOSE_CHARS
            after_quote = ends_quote and looks_like_role_line(block)
            if level is not None and not after_quote and not CODE.fullmatch(block.strip()):
                if sections:
                    sections[-1].end = s
                sections.append(Section(title=block.strip(), level=level, start=s, end=len(text)))
                current = block.strip()
                paragraphs.append(Paragraph(start=s, end=e, section=current, is_heading=True))
            else:
                paragraphs.append(Paragraph(start=s, end=e, section=current))
            previous = block
        return StructuredDocument(
            cleaned=cleaned, metadata=find_metadata(cleaned, spans), sections=sections, paragraphs=paragraphs
        )
