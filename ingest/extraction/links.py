"""Approach -> barrier links between resolved findings ("the champions helped overcome resistance").

A link needs a general relation cue in a sentence (`relation_cue`) and, near that sentence, an
approach and a barrier that both resolved to concepts: a resolved finding whose evidence window
holds the sentence or a neighbour in the same excerpt (within `WINDOW` sentences), or a concept
phrasing in the sentence itself (resolution.PhraseIndex, negation-aware). Nothing is named from
the sentence's words: a link joins two concepts or is not made.

Relations: addressed (to address / overcome / tackle / mitigate, helped with, solved, ...),
partly_addressed (the same, hedged: "partly", "to some extent"), did_not_address ("failed to",
"did not solve", "despite"), caused ("led to", "caused", "created", "resulted in").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spreadgraph.schema.extraction_models import Finding, LinkFinding, LinkRelation, Sentence

from .resolution import PhraseIndex

WINDOW = 1
MAX_PER_SENTENCE = 2  # approaches (and barriers) per cue sentence

_VERBS = (
    r"overcome|address|tackle|reduce|resolve|ease|remove|mitigate|counter|break down|unlock|solve|fix|"
    r"deal with|cope with|get round|get around|minimi[sz]e|alleviate|prevent|avoid|work around"
)
_ADDRESS = (
    rf"(?:help(?:ed|s)?|helping|went some way|sought|aimed|managed|were able|was able|used|designed|"
    rf"intended|meant|in order) to (?:{_VERBS})|"
    r"overc(?:a|o)me|address(?:ed|es)|tackled|resolved|mitigated|alleviated|countered|broke down|"
    r"removed|reduced|eased|unlocked|solved|minimi[sz]ed|prevented|"
    rf"help(?:ed|s)? with|to (?:{_VERBS})|as a (?:way|means) (?:to|of)|in response to|"
    r"compensat\w* for|made up for|"
    r"the (?:answer|solution|remedy) to|so that"
)
_FAILED = (
    r"(?:did not|didn't|does not|doesn't|could not|couldn't|was unable to|were unable to|failed to|"
    r"not enough to|unable to|did little to|do little to) "
    rf"(?:help |fully |really )?(?:{_VERBS}|change|shift)|"
    r"despite|in spite of|notwithstanding|still (?:faced|had|struggled)|remained|persisted"
)
_CAUSED = r"caused|created|led to|resulted in|gave rise to|triggered|generated|added to|increased"
_PARTLY = re.compile(r"\b(?:partly|partially|to some extent|in part|somewhat|some of|a little)\b", re.I)

RELATIONS: list[tuple[LinkRelation, re.Pattern[str]]] = [
    ("did_not_address", re.compile(rf"\b(?:{_FAILED})\b", re.I)),
    ("caused", re.compile(rf"\b(?:{_CAUSED})\b", re.I)),
    ("addressed", re.compile(rf"\b(?:{_ADDRESS})\b", re.I)),
]


def relation_cue(text: str) -> tuple[LinkRelation, str] | None:
    """(relation, cue) for the first relation whose cue occurs in `text` (failure first)."""
    for relation, pattern in RELATIONS:
        m = pattern.search(text)
        if m:
            if relation == "addressed" and _PARTLY.search(text):
                relation = "partly_addressed"
            return relation, m.group(0).lower()
    return None


def _rows(sentences: Sequence[Sentence], finding: Finding) -> tuple[int, int]:
    """First and last sentence index inside the finding's evidence window."""
    inside = [x.index for x in sentences if x.start >= finding.start and x.end <= finding.end]
    return (min(inside), max(inside)) if inside else (finding.sentence_index, finding.sentence_index)


def _near(spans: Sequence[tuple[Finding, int, int]], sentence: Sentence, kind: str) -> list[tuple[int, str]]:
    """(distance, name) of resolved findings of `kind` whose window holds `sentence` (0) or ends
    within WINDOW sentences of it (1)."""
    out = []
    for f, lo, hi in spans:
        if f.kind != kind or not f.name:
            continue
        if lo <= sentence.index <= hi:
            out.append((0, f.name))
        elif lo - WINDOW <= sentence.index <= hi + WINDOW:
            out.append((1, f.name))
    return out


def detect_links(
    sentences: Sequence[Sentence],
    findings: Sequence[Finding],
    index: PhraseIndex,
    extractor: str,
    version: str,
) -> list[LinkFinding]:
    """Link findings between resolved approaches and barriers around sentences with a relation cue."""
    links: list[LinkFinding] = []
    by_excerpt: dict[int, list[tuple[Finding, int, int]]] = {}
    for f in findings:
        if f.name and f.kind in ("approach", "barrier"):
            by_excerpt.setdefault(f.excerpt_index, []).append((f, *_rows(sentences, f)))
    for s in sentences:
        cue = relation_cue(s.text)
        if cue is None:
            continue
        relation, phrase = cue
        nearby = by_excerpt.get(s.excerpt_index, [])
        ends: dict[str, dict[str, tuple[int, float]]] = {"approach": {}, "barrier": {}}
        for match in index.matches(s.text):
            if match.concept.kind in ends:
                ends[match.concept.kind][match.concept.name] = (0, 1.0)
        for kind in ends:
            for distance, name in _near(nearby, s, kind):
                ends[kind].setdefault(name, (distance, 0.0))
        if not ends["approach"] or not ends["barrier"]:
            continue
        approaches = sorted(ends["approach"].items(), key=lambda x: (x[1][0], -x[1][1]))[:MAX_PER_SENTENCE]
        barriers = sorted(ends["barrier"].items(), key=lambda x: (x[1][0], -x[1][1]))[:MAX_PER_SENTENCE]
        for approach, (da, _) in approaches:
            for barrier, (db, _) in barriers:
                links.append(
                    LinkFinding(
                        relation=relation,
                        approach=approach,
                        barrier=barrier,
                        text=s.text,
                        start=s.start,
                        end=s.end,
                        sentence_index=s.index,
                        excerpt_index=s.excerpt_index,
                        case_key=s.case_key,
                        confidence=0.6 if da + db == 0 else 0.5 if da + db == 1 else 0.4,
                        cue=phrase,
                        extractor=extractor,
                        extractor_version=version,
                    )
                )
    return links


__all__ = ["RELATIONS", "detect_links", "relation_cue"]
