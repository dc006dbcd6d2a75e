"""Scoring extracted findings against gold items (dev_extraction JSON).

Coverage, in raw-file characters (gold quotes are exact substrings of the raw file; finding
spans are mapped from the cleaned text through the document's offset map): a gold item is
*covered* when the findings of the same kind, taken together, overlap at least 50% of the
characters of its evidence quote. Findings are single sentences, so a multi-sentence quote is
covered when the sentences carrying half of it were extracted. A gold link is covered when a
link finding overlaps 50% of its quote; `relation_right` also needs the same relation
(gold `failed_to_address` = `did_not_address`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import KINDS, Extraction
from spreadgraph.search.sentences import document_sentences

from bench.excerpt_eval import gold_spans
from bench.extraction_metric import NAMED_KINDS, GraphItem, GraphLink

GOLD_FIELDS = {
    "barrier": "barriers",
    "enabler": "enablers",
    "approach": "approaches",
    "outcome": "outcomes",
    "lesson": "lessons",
}
MIN_COVER = 0.5
RELATION = {"failed_to_address": "did_not_address"}

# The floor: a sentence containing any of these words is flagged as that kind.
FLOOR_WORDS: dict[str, tuple[str, ...]] = {
    "barrier": (
        "barrier",
        "obstacle",
        "challenge",
        "difficult",
        "lack",
        "problem",
        "constraint",
        "hard",
        "pressure",
        "time",
        "concern",
        "resist",
        "issue",
        "unable",
        "delay",
        "limited",
    ),
    "enabler": (
        "enabler",
        "enable",
        "help",
        "key to",
        "facilitat",
        "success",
        "support",
        "important",
        "buy-in",
        "leadership",
        "enthusias",
        "benefit",
        "commit",
    ),
    "approach": (
        "training",
        "trained",
        "workshop",
        "introduced",
        "we used",
        "set up",
        "pilot",
        "approach",
        "session",
        "champion",
        "model",
        "developed",
        "meeting",
        "group",
        "network",
        "tool",
    ),
    "outcome": ("led to", "resulted in", "outcome", "impact", "improve", "increase", "reduce", "result"),
    "lesson": ("lesson", "learn", "recommend", "should", "hindsight", "need to"),
}


def _cover(span: tuple[int, int], covered: list[tuple[int, int]]) -> float:
    s, e = span
    if e <= s:
        return 0.0
    hit, pos = 0, s
    for a, b in covered:
        a, b = max(a, pos), min(b, e)
        if b > a:
            hit += b - a
            pos = b
    return hit / (e - s)


def _union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def is_covered(raw: str, quote: str, spans: list[tuple[int, int]], min_cover: float = MIN_COVER) -> bool:
    """True when the union of raw `spans` covers `min_cover` of some occurrence of `quote`."""
    union = _union(spans)
    return any(_cover(g, union) >= min_cover for g in gold_spans(raw, quote))


@dataclass
class KindScore:
    gold: int = 0
    covered: int = 0
    items: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.covered / self.gold if self.gold else 0.0


def gold_items(gold_doc: dict) -> dict[str, list[dict]]:
    """Gold items per kind, over all cases of one gold document."""
    out: dict[str, list[dict]] = {k: [] for k in (*KINDS, "link")}
    for case in gold_doc["cases"]:
        for kind, field_name in GOLD_FIELDS.items():
            out[kind].extend(case.get(field_name, []))
        out["link"].extend(case.get("approach_barrier_links", []))
    return out


def score_spans(raw: str, gold: dict[str, list[dict]], spans: dict[str, list[tuple[int, int]]]) -> dict:
    """Per-kind KindScore for raw spans per kind (kinds plus 'link')."""
    scores: dict[str, KindScore] = {}
    for kind, items in gold.items():
        score = KindScore(gold=len(items), items=len(spans.get(kind, [])))
        for item in items:
            if is_covered(raw, item["evidence_quote"], spans.get(kind, [])):
                score.covered += 1
            else:
                score.misses.append(item["evidence_quote"][:90])
        scores[kind] = score
    return scores


def extraction_spans(doc: ParsedDocument, extraction: Extraction) -> dict[str, list[tuple[int, int]]]:
    """Raw spans of the findings, per kind, and of link findings under 'link'."""
    spans: dict[str, list[tuple[int, int]]] = {k: [] for k in (*KINDS, "link")}
    for f in extraction.findings:
        spans[f.kind].append(doc.offsets.span_to_raw(f.start, f.end))
    for link in extraction.links:
        spans["link"].append(doc.offsets.span_to_raw(link.start, link.end))
    return spans


def link_relation_recall(doc: ParsedDocument, raw: str, extraction: Extraction, links: list[dict]) -> float:
    """Share of gold links covered by a link finding with the same relation."""
    right = 0
    for link in links:
        relation = RELATION.get(link["relation"], link["relation"])
        spans = [doc.offsets.span_to_raw(x.start, x.end) for x in extraction.links if x.relation == relation]
        right += is_covered(raw, link["evidence_quote"], spans)
    return right / len(links) if links else 0.0


def extraction_items(
    doc: ParsedDocument, extraction: Extraction
) -> tuple[list[GraphItem], list[GraphLink], int]:
    """What writing `extraction` would put in the graph for this document, without a graph:
    the items (one per kind and concept, or per kind and normalised name for a free name, as
    graph/claims.py and graph/item_resolution.py merge them; link ends included) with their
    claims' evidence texts, the links, and the number of suggested claims, grouped per case as
    graph/claims.py groups them (one per item, per unnamed finding's code, per free name's code,
    per outcome/lesson finding and per link). Unnamed findings make no item. Used to score
    extractor settings that are not in a graph (bench/lodo.py).
    """
    from spreadgraph.schema.concepts import concept_for
    from spreadgraph.schema.names import normalise_name

    found: dict[str, tuple[str, str, list[str]]] = {}

    def key_of(kind: str, name: str) -> tuple[str, str, bool]:
        concept = concept_for(kind, name)
        if concept is not None:
            return f"{kind}:concept:{concept.id}", concept.name, True
        return f"{kind}:{normalise_name(name)}", name, False

    def add(kind: str, name: str, start: int, end: int) -> str:
        key, shown, _ = key_of(kind, name)
        entry = found.setdefault(key, (kind, shown, []))
        text = doc.text[start:end]
        if text not in entry[2]:
            entry[2].append(text)
        return key

    def case_of(excerpt_index: int) -> str | None:
        return doc.excerpts[excerpt_index].case_key if doc.cases else "document"

    claims: set[tuple] = set()
    for f in extraction.findings:
        case = case_of(f.excerpt_index)
        if f.kind not in NAMED_KINDS:
            claims.add(("owned", f.start, f.end, f.kind))
        elif not f.name:
            claims.update(("evidence", case, f.kind, c.id) for c in f.codes[:1])
        else:
            key = add(f.kind, f.name, f.start, f.end)
            claims.add(("item", case, key))
            if not key_of(f.kind, f.name)[2]:
                claims.update(("code", case, key, c.id) for c in f.codes)
    links = []
    for link in extraction.links:
        a = add("approach", link.approach, link.start, link.end)
        b = add("barrier", link.barrier, link.start, link.end)
        claims.add(("link", case_of(link.excerpt_index), a, b, link.relation))
        links.append(GraphLink(found[a][1], found[b][1], link.relation))
    items = [GraphItem(kind, name, tuple(ev), key) for key, (kind, name, ev) in found.items()]
    return items, links, len(claims)


def resolution_counts(extraction: Extraction) -> dict[str, int]:
    """Barrier/enabler/approach findings that resolved to a concept (named) or stayed coded
    evidence (unnamed), and the distinct concepts named."""
    named = [f for f in extraction.findings if f.kind in NAMED_KINDS]
    return {
        "findings": len(named),
        "resolved": sum(1 for f in named if f.name),
        "coded_evidence": sum(1 for f in named if not f.name),
        "concepts": len({(f.kind, f.name) for f in named if f.name}),
        "links": len(extraction.links),
    }


def floor_spans(doc: ParsedDocument) -> tuple[dict[str, list[tuple[int, int]]], int]:
    """The cue-word floor: raw spans per kind, and the number of distinct sentences flagged."""
    spans: dict[str, list[tuple[int, int]]] = {k: [] for k in KINDS}
    flagged = 0
    for sentence in document_sentences(doc, min_words=1):
        low = sentence.text.lower()
        hit = False
        for kind, words in FLOOR_WORDS.items():
            if any(re.search(rf"\b{re.escape(w)}", low) for w in words):
                spans[kind].append(doc.offsets.span_to_raw(sentence.start, sentence.end))
                hit = True
        flagged += hit
    return spans, flagged


__all__ = [
    "KindScore",
    "extraction_items",
    "extraction_spans",
    "floor_spans",
    "gold_items",
    "is_covered",
    "resolution_counts",
    "score_spans",
]
