"""Short canonical names for findings, derived without an LLM.

Order of preference: a phrase the sentence itself names with a pattern ("lack of X",
"X was a barrier", "we introduced X"), then the sentence's opening noun phrase, trimmed to a few
words. Only outcomes and lessons (owned by their evidence) are named this way; barriers, enablers
and approaches take a concept's name (resolution.py). Taxonomy labels are codes, never names.
"""

from __future__ import annotations

import re

from spreadgraph.schema.extraction_models import FindingKind

MAX_WORDS = 6
LEADING = re.compile(
    r"^(?:(?:the|a|an|this|that|these|those|their|its|our|some|many|other|such|also|however|but|and|"
    r"so|then|as|in|for|of|on|at|to|with|by|it|there|they|we|was|were|is|are|been|be|had|has|have|"
    r"which|who|said|felt|reported|noted|that)\b[\s,]*)+",
    re.I,
)
TRAILING = re.compile(
    r"(?:\s+\b(?:the|a|an|of|to|and|or|for|in|on|at|with|by|that|which|was|were|is|are|as|be|been|"
    r"their|its|this|it)\b)+$",
    re.I,
)
STOP_AT = (
    r"(?=[,.;:!?()\[\]\"“”]| (?:and|but|because|which|who|so|as|was|were|is|are|to|"
    r"for|in|from|meant|made)\b|$)"
)

PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "barrier": [
        re.compile(rf"\b((?:lack|shortage|absence) of [^,.;:]{{3,60}}?){STOP_AT}", re.I),
        re.compile(
            rf"\b((?:limited|insufficient|no) (?:time|funding|resources?|capacity|support|buy-in)"
            rf"[^,.;:]{{0,30}}?){STOP_AT}",
            re.I,
        ),
        re.compile(
            r"\b([\w'’\- ]{3,50}?) (?:was|were|is|are|became|remained) (?:a |the )?(?:main |key |"
            r"major |significant |biggest )?(?:barrier|obstacle|challenge|problem)",
            re.I,
        ),
        re.compile(
            rf"\b(?:barriers?|obstacles?|challenges?) (?:of|such as|including|was|were|included) "
            rf"([^,.;:]{{3,60}}?){STOP_AT}",
            re.I,
        ),
    ],
    "enabler": [
        re.compile(
            r"\b([\w'’\- ]{3,50}?) (?:was|were|is|are|proved|became) (?:a |the )?(?:main |key |"
            r"major |important |real )?(?:enabler|key to|crucial|instrumental|vital|essential)",
            re.I,
        ),
        re.compile(
            rf"\b(?:enablers?|success factors?) (?:of|such as|including|was|were|included) "
            rf"([^,.;:]{{3,60}}?){STOP_AT}",
            re.I,
        ),
        re.compile(r"^(?:having |the )?([\w'’\- ]{3,50}?) (?:helped|enabled|facilitated|made it)", re.I),
    ],
    "approach": [
        re.compile(
            r"^([\w'’\- ]{3,60}?) (?:was|were) (?:introduced|set up|established|delivered|provided|"
            r"piloted|co-designed|run|held|launched|created|developed|offered|used)",
            re.I,
        ),
        re.compile(
            rf"\b(?:introduced|set up|established|used|delivered|provided|piloted|co-designed|ran|"
            rf"held|launched|created|developed|recruited|offered|trained) ([^,.;:]{{3,60}}?){STOP_AT}",
            re.I,
        ),
    ],
    "outcome": [
        re.compile(
            rf"\b((?:improved|increased|reduced|fewer|better|greater|more) [^,.;:]{{3,50}}?){STOP_AT}", re.I
        ),
        re.compile(rf"\b(?:led to|resulted in) ([^,.;:]{{3,60}}?){STOP_AT}", re.I),
    ],
    "lesson": [],
}


def trim_phrase(phrase: str, max_words: int = MAX_WORDS) -> str:
    """Lower-case phrase without leading/trailing function words, at most `max_words` words."""
    phrase = re.sub(r"[\"'“”‘’]", "", phrase).strip(" -–—,;:.!?")
    phrase = re.sub(r"\b(?:partly|partially|somewhat|also|initially|successfully)\b", "", phrase)
    phrase = LEADING.sub("", phrase)
    words = phrase.split()[:max_words]
    phrase = TRAILING.sub("", " ".join(words))
    return phrase.lower().strip()


def opening_phrase(text: str, max_words: int = MAX_WORDS) -> str:
    """The sentence's first clause, trimmed: a fallback name."""
    clause = re.split(r"[,;:–—()]| because | which | so that ", text, maxsplit=1)[0]
    return trim_phrase(clause, max_words)


def derive_name(kind: FindingKind, text: str) -> str:
    """A short name: a pattern phrase, else the sentence's opening phrase. Used for outcomes and
    lessons (owned by their evidence); barriers, enablers and approaches are named by resolution
    to a concept (resolution.py), and a taxonomy construct or strategy is a code, never a name."""
    for pattern in PATTERNS[kind]:
        m = pattern.search(text)
        if m:
            name = trim_phrase(m.group(1))
            if len(name) >= 3:
                return name
    return opening_phrase(text) or text[:40].lower()
