"""Attributor: find participant quotes in the paragraphs and who said them.

Patterns handled (each covered by a fixture test):
- a quoted paragraph followed by a role line ("Practice Nurse"), or by a code (`07-AZ-003`);
  consecutive quoted paragraphs before one role line all take that role;
- a trailing parenthetical: `'...' (Pathway CtG team, project lead)`, `"..." (champion, site 2)`;
- a trailing code on the same line: `"..." 13-AZ-005`; several `'...' Role '...'` on one line;
- an unquoted first-person paragraph ending in `(role)`, or followed by a role line that is
  also used as an attribution elsewhere in the document;
- an inline quote introduced by a lead-in ("As one team member remarked, '...'", "In the words
  of a X: '...'"), a later quote in the same paragraph inheriting that speaker.
Every other paragraph becomes a `passage` excerpt.
"""

from __future__ import annotations

import re

from spreadgraph.schema.document_models import Excerpt, Paragraph, StructuredDocument

from .structure import CLOSE_CHARS, CODE, QUOTE_CHARS, ROLE_WORDS, is_quote_block, looks_like_role_line

LEAD_VERBS = (
    r"said|says|expressed|indicated|remarked|explained|noted|commented|reported|stated|described|put it|"
    r"articulated|told us|added|observed|reflected|suggested|recalled|admitted|argued|summed (?:it )?up|"
    r"mentioned"
)
PARENS_TAIL = re.compile(r"^\s*\.?\s*\((?P<who>[^()]{2,120})\)\s*[.,;]?\s*$")
CODE_TAIL = re.compile(rf"^\s*[.,]?\s*(?P<code>{CODE.pattern})\s*$")
ROLE_THEN_QUOTE = re.compile(rf"^\s+(?P<who>[^'\"‘“]{{2,80}}?)\s+(?=[{QUOTE_CHARS}])")
FIRST_PERSON = re.compile(r"\b(I|we|We|my|My|our|Our|me|us)\b")
SITE = re.compile(r"^(site|practice|clinic|trust)\s*\w{1,3}$", re.I)
ARM = re.compile(r"^(non-)?coached$|^(toolkit[- ]only|control|intervention)( arm)?$|^phase \d$", re.I)
INLINE = re.compile(r"(?<![\w'])(?P<q>['\"])(?=\S)(?P<body>[^\n]+?)(?<=\S)(?P=q)(?![\w])")


#: Closed-class English words that show a phrase is a piece of a sentence, not a role: a role
#: ("Practice Nurse", "member of the Pathway team, patient") never opens with a conjunction or a
#: sentence adverb, holds no finite verb or subject pronoun, and never ends on a function word.
_OPENER_TEXT = """and or but although though while whereas because since so then also however which that who
whom when where if unless ie eg i.e. e.g. thus hence therefore yet"""
_CLAUSE_TEXT = """is are was were be been being am has have had do does did can could will would shall should
may might must i we they he she it you us them"""
_CLOSER_TEXT = "a an the and or but of to for with by in on at as from that which some than"
_OPENERS = frozenset(_OPENER_TEXT.split())
_CLAUSE_WORDS = frozenset(_CLAUSE_TEXT.split())
_CLOSERS = frozenset(_CLOSER_TEXT.split())


def plausible_role(role: str) -> bool:
    """Whether `role` reads as a role or group of people rather than a fragment of a sentence:
    at most 10 words, a role word (ROLE_WORDS, not as the first half of a compound such as
    "patient-centred") in it, no quote marks or sentence punctuation, and
    none of the closed-class words above at its edges or as a verb or pronoun inside it."""
    text = role.strip()
    words = re.findall(r"[\w.']+", text.lower())
    roles = [m for m in ROLE_WORDS.finditer(text) if text[m.end() : m.end() + 1] != "-"]  # not "patient-led"
    if not words or len(words) > 10 or not roles:
        return False
    if any(c in text for c in QUOTE_CHARS + CLOSE_CHARS) or re.search(r"[!?;]|\.$", text.rstrip(") ")):
        return False
    if words[0] in _OPENERS or words[-1] in _CLOSERS:
        return False
    return not any(w in _CLAUSE_WORDS for w in words)


def split_attribution(who: str | None) -> tuple[str | None, str | None]:
    """(speaker, role) from an attribution: a code or a site is the speaker, the rest the role."""
    if not who:
        return None, None
    who = who.strip().strip("()").strip()
    speaker = None
    code = CODE.search(who)
    if code:
        speaker = code.group(0)
        who = (who[: code.start()] + who[code.end() :]).strip(" ,;-")
    parts = [p.strip() for p in who.split(",") if p.strip()]
    role_parts = []
    for part in parts:
        if SITE.match(part):
            speaker = speaker or part
        elif not ARM.match(part):
            role_parts.append(part)
    return speaker, (", ".join(role_parts) or None)


def lead_in_role(before: str) -> str | None:
    """The speaker named in the sentence leading into a quote ('As one team member remarked,')."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n", before.rstrip(" '\"*\n"))[-1]
    who = None
    if (
        m := re.search(
            r"\b(?:in the words of|according to|as witnessed by|as experienced by|by)\s+(.+?)[:,]?$",
            sentence,
            re.I,
        )
    ) or (m := re.search(rf"^(.*?)\s*,?\s+\b(?:{LEAD_VERBS})\b", sentence, re.I)):
        who = m.group(1)
    if not who:
        return None
    if (inner := re.search(r"\(([^()]+)\)", who)) and ROLE_WORDS.search(inner.group(1)):
        who = inner.group(1)
    who = who.split(",")[-1].strip()
    who = re.sub(r"^(as|in the words of|according to|similarly|likewise)\s+", "", who, flags=re.I)
    who = re.sub(r"^(one|a|an|the|another)\s+", "", who, flags=re.I).strip(" :,")
    if not who or len(who.split()) > 10 or not ROLE_WORDS.search(who):
        return None
    return who


MENTIONED_IN = re.compile(
    r"^\s*(?:was|were) (?:mentioned|said|described|reported|raised|noted) (?:in|by|at) (?:one |a |an |the )?"
    r"(?P<who>[^.,;]{3,80}?(?:\([^()]{2,40}\))?)(?=[,.;]|\s+(?:a|as|to|which|and)\b)"
)


def closing_index(block: str) -> int:
    """Index of the quote mark closing a quoted block (the first one after which the tail parses)."""
    candidates = [
        j
        for j in range(1, len(block))
        if block[j] in CLOSE_CHARS
        and not block[j - 1].isspace()
        and (j + 1 == len(block) or block[j + 1] in " .,;)\n*¹²³⁴⁵⁶⁷⁸⁹")
    ]
    for j in candidates:
        tail = block[j + 1 :]
        if (
            not tail.strip(" .*\n")
            or PARENS_TAIL.match(tail)
            or CODE_TAIL.match(tail)
            or ROLE_THEN_QUOTE.match(tail)
        ):
            return j
    return candidates[-1] if candidates else len(block)


class QuoteAttributor:
    """`run(StructuredDocument) -> StructuredDocument` with quote and passage excerpts added."""

    def run(self, doc: StructuredDocument) -> StructuredDocument:
        text = doc.cleaned.text
        paras = [p for p in doc.paragraphs if not p.is_heading]
        excerpts: list[Excerpt] = []
        role_lines: set[str] = set()
        used: set[int] = set()  # paragraph starts consumed as attributions
        quoted: set[int] = set()
        pending: list[Excerpt] = []
        for para in doc.paragraphs:
            block = text[para.start : para.end]
            if para.is_heading and not (pending and looks_like_role_line(block)):
                pending = []
                continue
            if pending and looks_like_role_line(block) and not is_quote_block(block):
                self._attribute(pending, block.strip())
                role_lines.add(block.strip().lower())
                used.add(para.start)
                pending = []
                continue
            if is_quote_block(block):
                found, tail_attributed = self._block_quotes(para, block)
                excerpts += found
                quoted.add(para.start)
                pending = [] if tail_attributed else [*pending, *(q for q in found if not q.attribution)][-4:]
                for e in found:
                    if e.attribution:
                        role_lines.add(e.attribution.lower())
                continue
            pending = []
        for para in paras:
            if para.start in used or para.start in quoted:
                continue
            excerpts += self._unquoted(doc, para, role_lines, used)
        self._lead_ins(doc, excerpts)
        excerpts.sort(key=lambda e: (e.start, e.kind != "quote"))
        for e in excerpts:
            e.raw_start, e.raw_end = doc.cleaned.offsets.span_to_raw(e.start, e.end)
        return doc.model_copy(update={"excerpts": excerpts})

    def _lead_ins(self, doc: StructuredDocument, excerpts: list[Excerpt]) -> None:
        """Unattributed quoted paragraphs take the speaker of a lead-in ending the paragraph before."""
        text = doc.cleaned.text
        starts = [p for p in doc.paragraphs if not p.is_heading]
        for e in excerpts:
            if e.kind != "quote" or e.attribution:
                continue
            before = [p for p in starts if p.end <= e.start - 1]
            if not before:
                continue
            prev = text[before[-1].start : before[-1].end]
            if prev.rstrip().endswith(":") and (who := lead_in_role(prev.rstrip().rstrip(":"))):
                self._attribute([e], who)

    @staticmethod
    def _attribute(quotes: list[Excerpt], who: str) -> None:
        speaker, role = split_attribution(who)
        if role and not plausible_role(role):
            role = None  # a fragment never becomes a role; the attribution text stays as found
        for q in quotes:
            q.attribution, q.speaker, q.speaker_role = who, speaker, role

    def _block_quotes(self, para: Paragraph, block: str) -> tuple[list[Excerpt], bool]:
        """Quotes of a quoted paragraph; True when the last one carried its own attribution."""
        found: list[Excerpt] = []
        offset = 0
        attributed = False
        while offset < len(block):
            rest = block[offset:]
            lead = len(rest) - len(rest.lstrip(" *"))
            if not rest[lead:] or rest[lead] not in QUOTE_CHARS:
                break
            open_at = offset + lead
            close = open_at + closing_index(block[open_at:])
            quote = self._quote(para, open_at + 1, close, block)
            if quote:
                found.append(quote)
            tail = block[close + 1 :]
            attributed = False
            m = PARENS_TAIL.match(tail) or CODE_TAIL.match(tail)
            if m and quote:
                self._attribute([quote], m.group(1))
                attributed = True
                break
            m = ROLE_THEN_QUOTE.match(tail)
            if m and quote and looks_like_role_line(m.group("who")):
                self._attribute([quote], m.group("who"))
                offset = close + 1 + m.end()
                continue
            break
        return found, attributed

    @staticmethod
    def _quote(para: Paragraph, start: int, end: int, block: str, kind: str = "quote") -> Excerpt | None:
        while start < end and block[start] in " *":
            start += 1
        while end > start and block[end - 1] in " *":
            end -= 1
        if end - start < 3:
            return None
        return Excerpt(
            text=block[start:end],
            start=para.start + start,
            end=para.start + end,
            kind=kind,
            section=para.section,
        )  # type: ignore[arg-type]

    def _unquoted(
        self, doc: StructuredDocument, para: Paragraph, role_lines: set[str], used: set[int]
    ) -> list[Excerpt]:
        text = doc.cleaned.text
        block = text[para.start : para.end]
        out: list[Excerpt] = []
        nxt = next((p for p in doc.paragraphs if p.start > para.end), None)
        parens = re.search(r"\((?P<who>[^()]{2,80})\)\s*\.?$", block)
        if FIRST_PERSON.search(block) and len(block) > 60:
            who = None
            if parens and ROLE_WORDS.search(parens.group("who")) and block.count("(") == 1:
                who, end = parens.group("who"), para.start + parens.start()
            elif nxt and text[nxt.start : nxt.end].strip().lower() in role_lines:
                who, end = text[nxt.start : nxt.end].strip(), para.end
                used.add(nxt.start)
            if who:
                q = self._quote(para, 0, end - para.start, block)
                if q:
                    self._attribute([q], who)
                    return [q]
        if len(block) >= 40 and not looks_like_role_line(block):
            out.append(
                Excerpt(text=block, start=para.start, end=para.end, kind="passage", section=para.section)
            )
        last_who: tuple[str | None, int] = (None, -1)
        next_line = text[nxt.start : nxt.end].strip() if nxt else ""
        for m in INLINE.finditer(block):
            body = m.group("body")
            tail = block[m.end() : m.end() + 130]
            parens_tail = re.match(r"\s*\((?P<who>[^()]{2,120})\)", tail) or MENTIONED_IN.match(tail)
            who = (
                parens_tail.group("who")
                if parens_tail and ROLE_WORDS.search(parens_tail.group("who"))
                else None
            )
            if not who and not tail.strip(" .") and nxt and looks_like_role_line(next_line):
                who = next_line
                used.add(nxt.start)
            who = who or lead_in_role(block[: m.start()])
            if not who and last_who[0] and m.start() - last_who[1] < 300:
                who = last_who[0]
            words = len(body.split())
            if not who and words < 10:
                continue
            q = self._quote(para, m.start("body"), m.end("body"), block)
            if q:
                if who:
                    self._attribute([q], who)
                    last_who = (who, m.end())
                out.append(q)
        return out
