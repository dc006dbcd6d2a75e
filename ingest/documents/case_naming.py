"""What a document's cases are about: the innovation named by the text's own defined acronyms,
and which case-like headings are themes or methods rather than cases.

* A defined acronym is an expansion followed by its acronym in brackets whose capitalised words'
  initials spell it ("Coordination Toolkit and Coaching (CTAC)"). Its uses are counted in the
  whole text.
* The document's innovation is its most used defined acronym, used at least
  :data:`MIN_USES` times, whose expansion does not end in a method, framework or organisation
  word (:data:`NOT_INNOVATION`): "Qualitative Comparative Analysis" is how the study was done,
  "Academic Health Science Network" who did the work, neither is what was spread.
* A case-study heading is a case when it is one by name ("Case study 2", "Vignette") or names
  something: its label holds a proper name after its first word. A numbered "Spotlight" or box
  on "Need for a solid evidence base" is a theme of the review, not a case.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

MIN_USES = 10
#: Head nouns of expansions that name a method, a framework or an organisation, never an innovation.
_NOT_INNOVATION_TEXT = """analysis analyses method methods methodology framework frameworks model research
survey evaluation study studies trial review index scale score questionnaire network networks service
services institute institution centre center administration group groups commission committee board
trust trusts council department agency organisation organization association partnership partnerships
excellence system systems authority authorities team teams"""
NOT_INNOVATION = frozenset(_NOT_INNOVATION_TEXT.split())
_PREPOSITION_TEXT = "of for to in on at around with by"
_PREPOSITIONS = frozenset(_PREPOSITION_TEXT.split())
_LINKING = _PREPOSITIONS | {"and", "the", "a", "an"}
_LINKING_WORD = "|".join(sorted(_LINKING))
_DEFINED = re.compile(rf"((?:[A-Z][\w'-]*|{_LINKING_WORD})(?:[ -]+[\w'-]+){{0,8}})\s+\(([A-Z]{{2,6}})\)")
#: Headings that are cases by name.
CASE_BY_NAME = re.compile(r"^(Case study|Case example|Vignette)\b", re.I)


@dataclass(frozen=True)
class Defined:
    """An acronym the text defines, its expansion and how often the acronym is used."""

    acronym: str
    expansion: str
    uses: int

    @property
    def name(self) -> str:
        return f"{self.expansion} ({self.acronym})"


def _spells(words: list[str], acronym: str) -> bool:
    """Whether the words' initials spell `acronym`: every word gives its initial, except that a
    linking word ("and", "of") may give none ("Coordination Toolkit and Coaching" is CTAC,
    "Transfers of Care Around Medicines" TCAM)."""
    if not words:
        return not acronym
    first, rest = words[0], words[1:]
    fits = bool(acronym) and first[0].upper() == acronym[0]
    if first.lower() in _LINKING:
        return (fits and _spells(rest, acronym[1:])) or _spells(rest, acronym)
    return fits and _spells(rest, acronym[1:])


def _expansion(words: list[str], acronym: str) -> str | None:
    """The shortest tail of `words`, opening on a content word, whose initials spell `acronym`."""
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        if tail[0].lower() not in _LINKING and _spells(tail, acronym):
            return " ".join(tail)
    return None


def defined_acronyms(text: str) -> dict[str, Defined]:
    """Every acronym the text defines, with its first fitting expansion and its count of uses."""
    found: dict[str, str] = {}
    for m in _DEFINED.finditer(text):
        acronym = m.group(2)
        if acronym in found:
            continue
        expansion = _expansion(re.split(r"\s+", m.group(1).strip()), acronym)
        if expansion:
            found[acronym] = expansion
    uses = Counter(re.findall(r"\b[A-Z]{2,6}\b", text))
    return {a: Defined(a, e, uses[a]) for a, e in found.items()}


def is_innovation(defined: Defined) -> bool:
    """A defined acronym that can name what was spread: neither its expansion's last word nor its
    head (the word before its first preposition: "Institute for ...") is a method, framework or
    organisation word."""
    words = re.findall(r"[a-z]+", defined.expansion.lower())
    if not words:
        return False
    cut = next((i for i, w in enumerate(words) if w in _PREPOSITIONS and i > 0), len(words))
    return words[-1] not in NOT_INNOVATION and words[cut - 1] not in NOT_INNOVATION


def document_innovation(text: str) -> Defined | None:
    """The innovation the document is about, by its most used defined acronym (see the module
    docstring), or None."""
    candidates = [d for d in defined_acronyms(text).values() if d.uses >= MIN_USES and is_innovation(d)]
    return max(candidates, key=lambda d: (d.uses, d.acronym), default=None)


def names_something(label: str) -> bool:
    """Whether a case-study heading's label names a case: it is one by name, or holds a proper
    name (a capitalised word or an acronym) after its first word."""
    if CASE_BY_NAME.match(label):
        return True
    body = re.sub(r"^\S+\s+(\d+|[A-Z])\b[:.\s-]*", "", label.strip())
    words = re.findall(r"[\w'-]+", body)
    return any(w[:1].isupper() for w in words[1:])
