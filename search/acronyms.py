"""Acronyms a document defines, so a window that only says "QI" is found by "quality improvement".

Reports define an abbreviation once, "... primary care network (PCN) ...", and use the short
form afterwards. A person searching in plain words then misses every later window: full text
has no "quality" or "improvement" in "QI teams met weekly", and MiniLM does not know what QI
stands for. `definitions` reads the definitions a text makes (long form, then the acronym in
brackets, the acronym's letters being the initials of the words before it, small words such as
"of" and "and" optional); `expansions` lists the long forms of the acronyms a window uses without
spelling them out. Search units store that list (`Sentence.expansions`), and the full-text index
covers it beside the window; the window itself, and the evidence shown, are unchanged.

Lucene weighs each field by its own statistics, so a term found only in `expansions` scores
lower than the same term in a window (the field is short and its terms common): the expansion
makes such windows findable by the long form rather than pushing them to the top. A unit with
no expansions has no such property, so empty values do not skew the field's statistics.
"""

from __future__ import annotations

import re

#: Words an acronym may skip ("Department of Health" -> DH, "Research and Development" -> R&D).
SMALL_WORDS = frozenset({"of", "and", "for", "the", "in", "on", "to", "&"})
_DEFINED = re.compile(r"\(([A-Z][A-Za-z&]{1,7}?)s?\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|&")
MAX_WORDS = 10  # words looked at before the bracket


def _long_form(words: list[str], letters: str) -> list[str] | None:
    """The shortest run of words ending before the bracket whose initials spell `letters`."""
    wanted = letters.lower().replace("&", "")
    for size in range(1, min(len(words), MAX_WORDS) + 1):
        run = words[-size:]
        initials = "".join(w[0].lower() for w in run if w.lower() not in SMALL_WORDS)
        if initials == wanted and run[0].lower() not in SMALL_WORDS:
            return run
        if len(initials) > len(wanted):
            return None
    return None


def definitions(text: str) -> dict[str, str]:
    """{acronym: long form} for each "long form (ACRONYM)" in `text` (first definition wins)."""
    found: dict[str, str] = {}
    for match in _DEFINED.finditer(text):
        acronym = match.group(1)
        if sum(ch.isupper() for ch in acronym) < 2 or acronym in found:
            continue
        words = _WORD.findall(text[max(0, match.start() - 120) : match.start()])
        run = _long_form(words, "".join(ch for ch in acronym if ch.isupper() or ch == "&"))
        if run:
            found[acronym] = " ".join(run).lower()
    return found


def expansions(window: str, defined: dict[str, str]) -> str:
    """Long forms of the acronyms `window` uses and does not spell out, space-separated."""
    if not defined:
        return ""
    lowered = window.lower()
    out = []
    for acronym, long_form in defined.items():
        used = re.search(rf"(?<![A-Za-z]){re.escape(acronym)}s?(?![A-Za-z])", window)
        if used and long_form not in lowered:
            out.append(long_form)
    return " ".join(out)
