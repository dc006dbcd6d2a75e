"""Cleaner: raw text layer -> cleaned text that keeps provenance.

Decision: `Source.text` stores the *cleaned* text and every excerpt span (`start`, `end`)
indexes it, so the source view highlights `text[start:end]` directly. The cleaner also keeps an
`OffsetMap` back to the raw text (and each excerpt carries `raw_start`/`raw_end`), so a span can
be shown in the original file too; raw spans include whatever cleaning removed inside them
(a page break, a footnote). Rules, in order, each a list of edits (see `edits.py`):

1. line endings; drop landing-page boilerplate lines, contents pages and reference lists;
2. strip HTML tags and markdown (emphasis, links, headings, blockquote marks);
3. lift footnote bodies and inline footnote/superscript/citation markers into `footnotes`;
4. rejoin words hyphenated across lines and sentences split by page breaks or hard wraps;
5. normalise curly quotes, odd spaces and tabs; collapse runs of spaces and blank lines.
"""

from __future__ import annotations

import re

from spreadgraph.schema.document_models import CleanedText, Footnote, OffsetMap, RawDocument

from .edits import Edit, TrackedText, group_deletions, regex_edits

BOILERPLATE = re.compile(
    r"^[ \t]*(To cite this article|To link to this article|Published online|Article views|View related "
    r"articles|View Crossmark data|Submit your article|Citing articles|Full Terms & Conditions|Follow us on|"
    r"Sign up for our|Copyright ©|© ?\d{4}|Telephone:|ISBN|(https?://|www\.)\S+$)[^\n]*\n?",
    re.M | re.I,
)
CONTENTS_HEAD = re.compile(r"^[ \t]*(table of )?contents[ \t]*$", re.I)
TOC_LINE = re.compile(r"\t|\.{3,}|\S[ \t]*\d{1,3}[ \t]*$|^[ \t]*[•–-][ \t]")
REFERENCES_HEAD = re.compile(r"^[ \t]*(references|bibliography|reference list|works cited)[ \t]*$", re.I)
REFERENCE_LINE = re.compile(
    r"^[ \t]*([-•*][ \t]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d+\]|\d+\.[ \t])|\(?(19|20)\d{2}[a-z]?\)?[.,;:]|https?://|doi"
)
HTML_TAG = re.compile(r"</?(p|ul|ol|li|i|b|u|em|strong|sup|sub|br|span|div|a)\b[^>\n]*>", re.I)
MD_LINK = re.compile(r"(?P<open>\[)(?P<label>[^\]\n]*)(?P<close>\]\((?:https?://|#)[^)\s]*\))")
MD_AUTOLINK = re.compile(r"(?P<open><)(?:https?://)[^>\s]+(?P<close>>)")
MD_EMPHASIS = re.compile(r"(?P<open>\*{1,3})(?=[^\s*])(?P<body>[^*\n]{1,300}?)(?<=[^\s*])(?P<close>\*{1,3})")
MD_HEADING = re.compile(r"^(?P<hashes>#{1,6}[ \t]+)", re.M)
MD_BLOCKQUOTE = re.compile(r"^(?P<mark>>[ \t]?)", re.M)
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
FOOTNOTE_BODY = re.compile(
    rf"^[ \t]*(?P<marker>[{SUPERSCRIPTS}]+|\^\{{?[a-z0-9,]+\}}?)[ \t]*(?P<body>\S[^\n]*)\n?", re.M
)
INLINE_MARKER = re.compile(
    rf"(?P<marker>[ \t]?[{SUPERSCRIPTS}]+|[ \t]?\^\{{[a-z0-9,]+\}}|[ \t]?\^[a-z0-9](?![a-z])"
    r"|[ \t]?\[\d+(?:[,–-][ \t]?\d+)*\])"
)
COMPOUND_PREFIXES = {
    "self",
    "well",
    "long",
    "short",
    "high",
    "low",
    "co",
    "non",
    "pre",
    "post",
    "multi",
    "cross",
    "place",
    "person",
    "patient",
    "evidence",
    "time",
    "follow",
    "one",
    "two",
    "three",
    "four",
    "full",
    "part",
    "sub",
    "mid",
    "semi",
    "anti",
    "inter",
    "re",
    "face",
    "peer",
    "user",
    "step",
    "top",
    "front",
    "end",
    "real",
}
QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
}
ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
TERMINAL = ".!?:\"'”’)]…"


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end-including-newline) of every line."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def drop_blocks(text: str, dropped: list[tuple[str, int, int]]) -> list[Edit]:
    """Edits dropping contents pages and reference lists (each kept in `dropped` for the record)."""
    edits: list[Edit] = []
    lines = _lines(text)
    i = 0
    while i < len(lines):
        s, e = lines[i]
        line = text[s:e].rstrip("\n")
        rule, keep = None, None
        if CONTENTS_HEAD.match(line):
            rule, keep = "contents", TOC_LINE
        elif REFERENCES_HEAD.match(line):
            rule, keep = "references", REFERENCE_LINE
        if rule and keep:
            j = i + 1
            while j < len(lines):
                body = text[lines[j][0] : lines[j][1]].strip()
                if body and not keep.search(body) and not (rule == "references" and len(body) > 150):
                    break
                j += 1
            end = lines[j - 1][1]
            edits.append((s, end, ""))
            dropped.append((rule, s, end))
            i = j
            continue
        i += 1
    return edits


def lift_footnotes(text: str, footnotes: list[tuple[str, int, str]]) -> list[Edit]:
    """Edits deleting footnote bodies (lines starting with a marker) and inline markers."""
    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for m in FOOTNOTE_BODY.finditer(text):
        edits.append((m.start(), m.end(), ""))
        taken.append((m.start(), m.end()))
        footnotes.append((m.group("marker").strip("^{}"), m.start(), m.group("body").strip()))
    for m in INLINE_MARKER.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        marker = m.group("marker").strip()
        edits.append((m.start(), m.end(), ""))
        footnotes.append((marker.strip("^{}[]"), m.start(), ""))
    return edits


def rejoin_edits(text: str) -> list[Edit]:
    """Edits joining hyphenated words and sentences broken by a page break or a hard wrap."""
    edits: list[Edit] = []
    for m in re.finditer(r"([A-Za-z]+)-(\n[ \t]*)+(?=[a-z])", text):
        prefix = m.group(1).lower()
        start = m.end(1) + (1 if prefix in COMPOUND_PREFIXES else 0)
        edits.append((start, m.end(), ""))
    for m in re.finditer(r"(?<=[^\s])[ \t]*\n(?:[ \t]*\n)*[ \t]*(?=[a-z(])", text):
        before = text[m.start() - 1]
        line_start = text.rfind("\n", 0, m.start()) + 1
        if before in TERMINAL and "\n\n" in m.group(0):
            continue  # a finished paragraph followed by one that happens to start lower-case
        if text[m.start() - 1] == "-" or text[line_start : m.start()].lstrip().startswith(("|", "\t")):
            continue
        edits.append((m.start(), m.end(), " "))
    return edits


def normalise_edits(text: str) -> list[Edit]:
    """Edits for quotes and odd spaces (one char for one), then runs of spaces and blank lines."""
    edits = [(i, i + 1, QUOTES[c]) for i, c in enumerate(text) if c in QUOTES]
    edits += [(m.start(), m.end(), " ") for m in ODD_SPACES.finditer(text)]
    return edits


def collapse_edits(text: str) -> list[Edit]:
    edits = regex_edits(text, re.compile(r"[ ]+(?=\n)|(?<=[^\s]) {2,}|^ +", re.M), "")
    edits = [
        (s + (1 if text[s:e].startswith("  ") and s > 0 and text[s - 1] != "\n" else 0), e, "")
        for s, e, _ in edits
    ]
    edits += [(m.start() + 2, m.end(), "") for m in re.finditer(r"\n{3,}", text)]
    lead = len(text) - len(text.lstrip())
    if lead:
        edits.append((0, lead, ""))
    trail = len(text.rstrip())
    if trail < len(text):
        edits.append((trail, len(text), ""))
    return edits


class DocumentCleaner:
    """`run(RawDocument) -> CleanedText`: the rules above, composed, with the offset map."""

    def run(self, raw: RawDocument) -> CleanedText:
        doc = TrackedText(raw.text)
        dropped: list[tuple[str, int, int]] = []
        notes: list[tuple[str, int, str]] = []
        doc.edit(regex_edits(doc.text, re.compile(r"\r\n?"), "\n"))
        doc.edit(regex_edits(doc.text, BOILERPLATE, ""))
        blocks: list[tuple[str, int, int]] = []
        edits = drop_blocks(doc.text, blocks)
        dropped += [(rule, doc.raw_index(s), doc.raw_index(e)) for rule, s, e in blocks]
        doc.edit(edits)
        doc.edit(regex_edits(doc.text, HTML_TAG, ""))
        doc.edit(group_deletions(MD_LINK, doc.text, ("open", "close")))
        doc.edit(group_deletions(MD_AUTOLINK, doc.text, ("open", "close")))
        doc.edit(regex_edits(doc.text, re.compile(r"\[↗\]\(#\)"), ""))
        doc.edit(group_deletions(MD_EMPHASIS, doc.text, ("open", "close")))
        doc.edit(group_deletions(MD_HEADING, doc.text, ("hashes",)))
        doc.edit(group_deletions(MD_BLOCKQUOTE, doc.text, ("mark",)))
        local_notes: list[tuple[str, int, str]] = []
        edits = lift_footnotes(doc.text, local_notes)
        notes += [(mk, doc.raw_index(pos), body) for mk, pos, body in local_notes]
        doc.edit(edits)
        doc.edit(normalise_edits(doc.text))
        doc.edit(rejoin_edits(doc.text))
        doc.edit(collapse_edits(doc.text))
        doc.edit(collapse_edits(doc.text))
        return CleanedText(
            raw=raw,
            text=doc.text,
            offsets=OffsetMap.from_array(doc.offsets, len(raw.text)),
            footnotes=[Footnote(marker=m, raw_start=p, text=b) for m, p, b in notes],
            dropped=dropped,
        )
