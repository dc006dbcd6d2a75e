"""Cue phrases that signal each kind of finding, with polarity handling.

Cues are general English phrasings of implementation talk (not lifted from any document).
`cue_scores(sentence)` returns, per kind, a saturating score in 0..1 and the cues that fired.
A positive cue under negation ("did not help", "lack of support") counts for *barrier*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spreadgraph.schema.extraction_models import KINDS

# (pattern, weight); patterns are matched case-insensitively on word boundaries.
CUES: dict[str, list[tuple[str, float]]] = {
    "barrier": [
        (r"barriers?", 1.0),
        (r"obstacles?", 1.0),
        (r"hurdles?", 1.0),
        (r"got in the way|get in the way|stood in the way", 1.0),
        (r"challeng(?:e|es|ing)", 0.8),
        (r"difficult(?:y|ies)?|hard to|harder to|struggl\w*", 0.9),
        (r"lack(?:ed|ing|s)? of|lacked|lacking", 1.0),
        (r"insufficient|inadequate|limited|shortage of|not enough|too (?:much|many|little|few|busy)", 0.8),
        (r"constraints?|pressures?|burden\w*|workloads?|caseloads?|time[- ]consuming", 0.7),
        (r"problem(?:s|atic)?|issues? with|concerns? (?:about|over|that)", 0.6),
        (r"hinder\w*|imped\w*|prevent\w*|block\w*|undermin\w*|stall\w*", 0.9),
        (r"resist\w*|reluctan\w*|scepti\w*|skepti\w*|wary|mistrust|distrust|fear(?:s|ed|ful)?|anxi\w*", 0.8),
        (r"unable to|could not|couldn't|can't|cannot|did not have|didn't have|no time", 0.6),
        (r"delay(?:s|ed)?|turnover|uncertain\w*|confus\w*|frustrat\w*|tension\w*|conflict\w*", 0.6),
        (r"not (?:in place|supportive|available|clear|suitable|possible)|unclear|patchy|inconsistent", 0.7),
        # general negative-experience words
        (
            r"too (?:rigid|long|expensive|complex|complicated|slow|late|early|hard)|impossible|unsuitable|"
            r"(?:more|very|overly) complicated|complex(?:ity)?|overwhelm\w*|overcrowd\w*|"
            r"stretched|overstretched|"
            r"put (?:\w+ ){0,2}off|no way to|off-putting|clunky|on hold|derail\w*|halt\w*|"
            r"stopp?ed|fail\w*|poor(?:ly)?|"
            r"negative|worse|lost|loss of|erod\w*|restrictive|preoccupied|distract\w*|"
            r"competing|other priorities|"
            r"morale|stress\w*|burn-?out|fragment\w*|silo\w*|unwilling|refus\w*|reject\w*|awkward|"
            r"uncomfortable|isolat\w*|exhaust\w*|suspicio\w*|stigma\w*|blam\w*|criticis\w*|scrutiny|"
            r"vulnerab\w*|expensive|costly|higher than expected|took (?:\w+ ){0,2}down|"
            r"disrupt\w*|gap(?:s)? in|"
            r"misunderst\w*|mishandl\w*|wrong|risk(?:s|y)?|threat\w*|struggle\w*|floundering",
            0.7,
        ),
    ],
    "enabler": [
        (r"enabler\w*|enabl(?:e|ed|es|ing)", 1.0),
        (r"facilitat\w*", 0.9),
        (r"help(?:ed|s|ful)|helping to", 0.8),
        (r"key to|crucial|critical to|critical in|instrumental|vital|essential|pivotal", 0.9),
        (r"success(?:ful|fully)?|worked well|work well|made it (?:easier|possible)|allowed", 0.6),
        (r"buy-in|commitment|committed|enthusias\w*|motivat\w*|momentum|champion\w*", 0.6),
        (r"support(?:ed|ive)?|backing|endorse\w*", 0.5),
        (
            r"strengths?|benefit(?:ed|ted)? from|valu(?:ed|able)|trusted|trusting|trust (?:in|"
            r"between)|credib\w*|rapport",
            0.5,
        ),
        (r"already (?:established|existing|in place|had)|existing|drivers? for|aligned? with", 0.5),
        # general positive-experience words
        (
            r"easy to|easier|simple enough|well[- ]designed|flexib\w*|adapt(?:able|ed)|"
            r"fit(?:ted)? (?:well|with)|"
            r"paid for itself|persuad\w*|convinc\w*|positive|good|great|better than|respected|welcom\w*|"
            r"strong(?:ly)?|clear (?:vision|direction|goal)|protected time|dedicated|ownership|empower\w*|"
            r"encourag\w*|open to|willing|keen|receptive|relationships? with|partnership",
            0.5,
        ),
    ],
    "approach": [
        (
            r"(?:we|they|the team|teams?|staff) (?:used|introduced|developed|set up|established|ran|held|"
            r"delivered|implemented|piloted|launched|created|recruited|provided|offered|adopted|designed|"
            r"trained|produced|organised|organized|invited|co-designed|worked with)",
            1.0,
        ),
        (r"introduced|set up|established|piloted|launched|rolled out|co-designed|implemented", 0.8),
        (
            r"(?:was|were|been|being) (?:introduced|set up|established|delivered|piloted|rolled out|trained|"
            r"offered|provided|invited|recruited|co-designed|designed|developed|held|run|"
            r"launched|used|given)",
            0.9,
        ),
        (r"training|trained|workshops?|sessions?|courses?|taster", 0.7),
        (r"approach(?:es)?|model of|strateg(?:y|ies)|interventions?|initiatives?|programmes?|toolkits?", 0.5),
        (r"pilot(?:s|ed|ing)?|roll(?:ed)? out|launch\w*|co-design\w*|action learning", 0.6),
        (r"champions?|networks?|peer support|supervision|mentor\w*|coach(?:es|ing)?", 0.5),
        (r"newsletters?|events?|case studies|resources|materials|guidance|leaflets?|website", 0.5),
        (r"audit\w*|feedback|data collection|evaluation forms?|monitor\w*|tracking", 0.4),
        (r"by (?:creating|providing|using|setting up|introducing|training|bringing|offering|holding)", 0.9),
        (r"through (?:the )?(?:use of|creating|providing|training|regular|modelling)", 0.7),
        # a recommendation that opens with an instruction names an approach to take
        (
            r"^(?:ensure|make sure|identify|provide|offer|build|create|establish|involve|consider|plan|"
            r"set up|develop|agree|invest in|embed|describe|think of|use|give|bring)",
            0.6,
        ),
    ],
    "outcome": [
        (r"led to|lead to|leads to|resulted in|results? in|as a result|outcomes?|impacts?", 1.0),
        (r"improv(?:ed|ement|ements|ing)|increas(?:ed|e in)|reduc(?:ed|tion|tions)|decreas\w*|fewer", 0.8),
        (r"\d+(?:\.\d+)? ?(?:%|per ?cent)|average of|scores?|rates?|number of|savings?", 0.7),
        (r"achiev\w*|gained|benefits? (?:for|to)|now (?:use|uses|using|feel|have|has)|changed", 0.6),
        (r"satisf\w*|confiden\w*|awards?|sustain\w*|continu(?:e|ed|ing) (?:to|with)|evidence of", 0.5),
    ],
    "lesson": [
        (r"lessons?|learn(?:ed|t|ing)|insights?|reflect\w*|transferable|takeaway", 1.0),
        (r"recommend\w*|advi[cs]e|tips?|should|must|ought to|need(?:s|ed)? to|needs? to be", 0.8),
        (
            r"it is (?:important|essential|crucial|vital) (?:to|that)|in hindsight|next time|with hindsight",
            1.0,
        ),
        (r"if [^.]{3,80}\b(?:had|could have|would have)|would have|could have|wish\w*", 0.9),
        (r"(?:others|those) (?:embarking|considering|planning|wanting)|elsewhere|replicat\w*", 0.8),
        (r"the (?:main|key|biggest) (?:message|learning|lesson)|(?:key|main) messages?", 1.0),
        (r"ensure|make sure|prepare|preparation|essential (?:that|to)", 0.5),
    ],
}

NEGATORS = (
    r"(?:not|no|never|without|lack of|lacked|lacking|little|insufficient|limited|"
    r"didn't|did not|wasn't|was not|weren't|were not|hardly)"
)
# A positive (enabler) cue within three words after a negator flips to barrier.
_NEGATED = re.compile(
    rf"\b{NEGATORS}\s+(?:\w+\s+){{0,3}}?(?:help\w*|support\w*|enabl\w*|buy-in|commitment|"
    r"engag\w*|time|resources?|funding|capacity|leadership|clarity|understanding|trust)\b",
    re.I,
)

_COMPILED = {
    kind: [(re.compile(rf"\b(?:{pattern})\b", re.I), weight) for pattern, weight in cues]
    for kind, cues in CUES.items()
}


@dataclass
class CueHits:
    """Per-kind cue score in 0..1 (1 - prod(1 - w)) and the phrases that fired."""

    scores: dict[str, float] = field(default_factory=dict)
    phrases: dict[str, list[str]] = field(default_factory=dict)
    patterns: set[tuple[str, int]] = field(default_factory=set)

    def best(self) -> str | None:
        kind = max(self.scores, key=lambda k: self.scores[k])
        return kind if self.scores[kind] > 0 else None


def cue_scores(text: str, damping: dict[tuple[str, int], float] | None = None) -> CueHits:
    """Score `text` for each kind from its cue phrases (negated help counts as barrier).

    `damping` scales a pattern's weight (see `document_damping`); absent patterns keep theirs.
    """
    hits = CueHits()
    negated = [m.span() for m in _NEGATED.finditer(text)]
    for kind in KINDS:
        remaining, phrases = 1.0, []
        for index, (pattern, weight) in enumerate(_COMPILED[kind]):
            for m in pattern.finditer(text):
                if kind == "enabler" and any(s <= m.start() < e for s, e in negated):
                    continue
                remaining *= 1 - weight * (damping or {}).get((kind, index), 1.0)
                phrases.append(m.group(0).lower())
                hits.patterns.add((kind, index))
                break
        hits.scores[kind] = 1 - remaining
        hits.phrases[kind] = phrases
    if negated:
        hits.scores["barrier"] = 1 - (1 - hits.scores["barrier"]) * 0.1
        hits.phrases["barrier"].extend(text[s:e].lower() for s, e in negated)
    return hits


def document_damping(
    texts: list[str], max_share: float = 0.1, min_count: int = 3
) -> dict[tuple[str, int], float]:
    """Weight scale per cue pattern: a pattern firing in more than `max_share` of a document's
    sentences (its topic words, e.g. "training" in a report on training) is scaled down to
    `max_share / share`, so it no longer separates one sentence from another. Patterns firing in
    at most `min_count` sentences are never damped (short documents)."""
    counts: dict[tuple[str, int], int] = {}
    for text in texts:
        for key in cue_scores(text).patterns:
            counts[key] = counts.get(key, 0) + 1
    allowed = max(max_share * len(texts), min_count)
    return {key: min(1.0, allowed / c) for key, c in counts.items()}
