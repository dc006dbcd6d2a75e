"""Approach -> barrier links stated in one sentence ("the champions helped overcome X").

A link needs a relation cue and a barrier-like object after it; the approach is the phrase
before the cue (or the sentence's approach finding). Relations: addressed, partly_addressed
(hedged: "partly", "to some extent"), did_not_address ("failed to", "did not overcome"),
caused ("led to delays", "created confusion").
"""

from __future__ import annotations

import re

from spreadgraph.schema.extraction_models import LinkRelation

from .naming import STOP_AT, trim_phrase

_ADDRESS = (
    r"(?:help(?:ed|s)?|helping|went some way|sought|aimed|managed|were able|was able|used|designed) to "
    r"(?:overcome|address|tackle|reduce|resolve|ease|remove|mitigate|counter|break down|unlock|challenge)|"
    r"overc(?:a|o)me|address(?:ed|es)|tackled|resolved|mitigated|alleviated|countered|broke down|"
    r"removed|reduced|eased|unlocked|(?:in order )?to (?:overcome|address|tackle|mitigate|counter|unlock)"
)
_FAILED = (
    r"(?:did not|didn't|does not|could not|couldn't|was unable to|were unable to|failed to|not enough to|"
    r"unable to) (?:help |fully )?(?:overcome|address|tackle|resolve|reduce|remove|change|solve|fix|shift)"
)
_CAUSED = (
    r"(?:caused|created|led to|resulted in|gave rise to|triggered|introduced) (?:some |new |further |"
    r"unexpected |considerable )?(?:delays?|problems?|confusion|resistance|tensions?|difficult(?:y|ies)|"
    r"anxiety|concerns?|frustration|workload|burden|barriers?|challenges?)"
)
_PARTLY = r"\b(?:partly|partially|to some extent|in part|somewhat|some of)\b"

RELATIONS: list[tuple[LinkRelation, re.Pattern[str]]] = [
    ("did_not_address", re.compile(rf"\b(?:{_FAILED})\b", re.I)),
    ("caused", re.compile(rf"\b(?:{_CAUSED})\b", re.I)),
    ("addressed", re.compile(rf"\b(?:{_ADDRESS})\b", re.I)),
]
BARRIER_WORDS = re.compile(
    r"barrier|obstacle|resist|reluctan|scepti|skepti|mistrust|distrust|fear|anxi|stigma|lack|shortage|"
    r"pressure|workload|burden|delay|problem|difficult|challenge|concern|confusion|tension|isolation|"
    r"gap|silo|misunderst|stereotyp|attitude|inertia|time|capacity|cost|risk|negative|poor|low",
    re.I,
)


def detect_link(text: str, approach_hint: str | None = None) -> tuple[LinkRelation, str, str, str] | None:
    """(relation, approach name, barrier name, cue) when `text` states an approach -> barrier link."""
    for relation, pattern in RELATIONS:
        m = pattern.search(text)
        if not m:
            continue
        after = text[m.end() :]
        if relation == "caused":
            obj = re.match(rf"([^.;:!?]{{0,60}}?){STOP_AT}", after)
            barrier_phrase = m.group(0).split()[-1] + (obj.group(1) if obj else "")
        else:
            obj = re.match(rf"\s*([^.;:!?]{{3,80}}?){STOP_AT}", after)
            barrier_phrase = obj.group(1) if obj else after[:60]
        if relation != "caused" and not BARRIER_WORDS.search(barrier_phrase):
            continue
        before = re.split(r"[,;:]\s", text[: m.start()])[-1]
        approach = approach_hint or trim_phrase(before, max_words=8)
        barrier = trim_phrase(re.split(r"[,;:]", barrier_phrase)[0])
        if not approach or not barrier:
            continue
        if relation == "addressed" and re.search(_PARTLY, text, re.I):
            relation = "partly_addressed"
        return relation, approach, barrier, m.group(0).lower()
    return None
