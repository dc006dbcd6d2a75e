"""Scoring parsed documents against gold interview excerpts (dev_extraction JSON).

A gold excerpt is *found* when a detected quote's raw span covers at least 60% of the gold
quote's raw span (gold quotes are exact substrings of the raw file) and at most doubles it.
Its role is *right* when the normalised role words of one side contain the other's (so
"Pathway CtG team member" matches "team member"), or both are absent/"not attributed".
Case attribution is right when the found quote's case key names the gold case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spreadgraph.schema.document_models import Excerpt, ParsedDocument

STOP = {
    "the",
    "a",
    "an",
    "of",
    "from",
    "at",
    "in",
    "for",
    "and",
    "to",
    "by",
    "as",
    "not",
    "further",
    "specified",
    "ctg",
    "related",
    "involved",
    "with",
    "project",
    "reported",
    "evaluators",
}


def role_words(role: str | None) -> set[str]:
    words = re.findall(r"[a-z0-9]+", (role or "").lower())
    return {w.rstrip("s") for w in words if w not in STOP and not w.isdigit()}


def role_matches(gold: str | None, found: str | None) -> bool:
    """Lenient role equality: one side's content words include the other's."""
    if not gold or gold.lower().startswith("not attributed"):
        return not found
    g, f = role_words(gold), role_words(found)
    return bool(f) and (f <= g or g <= f)


def gold_spans(raw: str, quote: str) -> list[tuple[int, int]]:
    """All raw spans of a gold quote (whitespace-tolerant when not found verbatim)."""
    spans = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), raw)]
    if not spans:
        pattern = r"\s+".join(re.escape(w) for w in quote.split())
        spans = [(m.start(), m.end()) for m in re.finditer(pattern, raw)]
    return spans


def best_match(quotes: list[Excerpt], span: tuple[int, int]) -> Excerpt | None:
    gs, ge = span
    best, best_cover = None, 0.0
    for q in quotes:
        overlap = min(ge, q.raw_end) - max(gs, q.raw_start)
        if overlap <= 0:
            continue
        cover = overlap / (ge - gs)
        if cover >= 0.6 and (q.raw_end - q.raw_start) <= 2 * (ge - gs) + 40 and cover > best_cover:
            best, best_cover = q, cover
    return best


def case_matches(gold_case: str, case_key: str | None, doc: ParsedDocument) -> bool:
    if not case_key:
        return False
    case = next((c for c in doc.cases if c.key == case_key), None)
    names = [case_key, *(case.aliases if case else []), case.title if case else ""]
    g = gold_case.lower()
    return any(n and (n.lower() in g or g in n.lower()) for n in names)


@dataclass
class ExcerptScore:
    gold: int = 0
    found: int = 0
    found_with_role: int = 0
    cased: int = 0
    case_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def recall_with_role(self) -> float:
        return self.found_with_role / self.gold if self.gold else 0.0

    @property
    def case_accuracy(self) -> float:
        return self.case_right / self.cased if self.cased else 0.0


def score_excerpts(doc: ParsedDocument, raw: str, gold_excerpts: list[dict]) -> ExcerptScore:
    """Excerpt-detection recall (with role) and case accuracy of `doc` against gold excerpts."""
    score = ExcerptScore()
    quotes = doc.quotes()
    for gold in gold_excerpts:
        score.gold += 1
        match = next((m for span in gold_spans(raw, gold["quote"]) if (m := best_match(quotes, span))), None)
        if match is None:
            score.misses.append(f"MISSED  {gold['speaker_role']!r}: {gold['quote'][:70]!r}")
            continue
        score.found += 1
        if role_matches(gold.get("speaker_role"), match.speaker_role):
            score.found_with_role += 1
        else:
            score.misses.append(
                f"ROLE    {gold['speaker_role']!r} != {match.speaker_role!r}: {gold['quote'][:50]!r}"
            )
        if gold.get("case_name"):
            score.cased += 1
            if case_matches(gold["case_name"], match.case_key, doc):
                score.case_right += 1
            else:
                score.misses.append(
                    f"CASE    {gold['case_name']!r} != {match.case_key!r}: {gold['quote'][:50]!r}"
                )
    return score
