"""Split excerpts into sentences that keep their span in the document text.

Rules: a sentence ends at `.`, `!` or `?` (optionally followed by a closing quote or bracket)
before whitespace and an upper-case letter, digit or opening quote, unless the full stop ends a
common abbreviation or an initial; blank lines and bullet lines always break. Over-long
"sentences" (flattened tables) are cut at semicolons or line breaks.
"""

from __future__ import annotations

import re

from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import Sentence

ABBREVIATIONS = {
    "e.g",
    "i.e",
    "eg",
    "ie",
    "etc",
    "vs",
    "cf",
    "al",
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "no",
    "fig",
    "vol",
    "approx",
    "st",
    "inc",
    "ltd",
}
SKIP_SECTIONS = re.compile(
    r"\b(references?|bibliography|acknowledge?ments?|contents|glossary|abbreviations)\b", re.I
)
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_HARD = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•▪]|\d+[.)])\s)")
MAX_CHARS = 600
MIN_WORDS = 4


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at `dot` ends an abbreviation or a single-letter initial."""
    m = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    return word in ABBREVIATIONS or (len(word) == 1 and text[dot - 1].isupper())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n-*•▪":
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= MAX_CHARS:
        return [(start, end)]
    pieces, pos = [], start
    for m in re.finditer(r";\s+|\n", text[start:end]):
        cut = start + m.end()
        if cut - pos >= 40:
            pieces.append((pos, cut))
            pos = cut
    pieces.append((pos, end))
    return pieces


def split_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of `text`, shifted by `offset`; whitespace and bullet marks trimmed."""
    blocks, pos = [], 0
    for m in _HARD.finditer(text):
        blocks.append((pos, m.start()))
        pos = m.end()
    blocks.append((pos, len(text)))
    spans: list[tuple[int, int]] = []
    for b0, b1 in blocks:
        pos = b0
        for m in _END.finditer(text, b0, b1):
            if text[m.start()] == "." and _is_abbreviation(text, m.start()):
                continue
            spans.append((pos, m.end()))
            pos = m.end()
        spans.append((pos, b1))
    out = []
    for s, e in spans:
        for s2, e2 in _cut_long(text, s, e):
            s3, e3 = _trim(text, s2, e2)
            if e3 > s3:
                out.append((s3 + offset, e3 + offset))
    return out


def document_sentences(doc: ParsedDocument, min_words: int = MIN_WORDS) -> list[Sentence]:
    """Sentences of every excerpt, quotes first; a passage sentence mostly inside a quote is dropped."""
    order = sorted(range(len(doc.excerpts)), key=lambda i: (doc.excerpts[i].kind != "quote", i))
    taken: list[tuple[int, int]] = []
    found: list[Sentence] = []
    for i in order:
        ex = doc.excerpts[i]
        if ex.section and SKIP_SECTIONS.search(ex.section):
            continue
        for start, end in split_spans(ex.text, ex.start):
            text = doc.text[start:end]
            if len(text.split()) < min_words or not re.search(r"[a-z]{3}", text):
                continue
            if any(min(end, e) - max(start, s) > 0.5 * (end - start) for s, e in taken):
                continue
            taken.append((start, end))
            found.append(
                Sentence(
                    index=0,
                    text=text,
                    start=start,
                    end=end,
                    excerpt_index=i,
                    excerpt_kind=ex.kind,
                    section=ex.section,
                    case_key=ex.case_key,
                    speaker_role=ex.speaker_role,
                )
            )
    found.sort(key=lambda s: (s.start, s.end))
    for k, sentence in enumerate(found):
        sentence.index = k
    return found
