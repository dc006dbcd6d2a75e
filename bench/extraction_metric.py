"""Issue 18's extraction metric: pure scoring functions (no Neo4j, no model).

Inputs are plain data: the graph's items of one document (`GraphItem`: kind, name, the texts of
the claims' evidence in that document), its approach -> barrier links (`GraphLink`), its case
titles, and the gold JSON of that document (`../shared/eval/dev_extraction`). Name similarity is
a parameter (`similarity(a, b) -> cosine`), so tests pass a hand-made function and the benchmark
passes `NameSimilarity` over MiniLM vectors.

Figures, per document (and per kind where it applies):

named with evidence recall (:func:`named_with_evidence`)
    a gold barrier/enabler/approach is a hit when an item of the same kind has a name with
    cosine >= 0.6 to the gold name *and* one of that item's evidence texts holds >= 60% of the
    gold quote's words in order (:func:`quote_in` = bench/scoring.py's in-order word match, same
    normalisation and window as the search scoring).
name precision (:func:`name_precision`)
    share of the items whose name has cosine >= 0.6 with some gold name of the document, of any
    kind (:func:`gold_names`: barriers, enablers, approaches, outcomes, lessons, innovations).
link recall (:func:`link_recall`)
    a gold approach_barrier_link is found when a graph link joins an approach whose name has
    cosine >= 0.6 with the gold approach to a barrier whose name has cosine >= 0.6 with the gold
    barrier (the relation is not required; `relation_right` also counts it).
case recall (:func:`case_recall`)
    a gold case is found when a case title has cosine >= 0.6 with the gold `case_name` or the
    gold `innovation.name` (the better of the two); each title finds at most one gold case.
review decisions (:func:`review_figure`)
    decisions a reviewer needs, against 1.5 x the gold items (:func:`gold_item_count`: barriers,
    enablers, approaches, outcomes, lessons and one innovation per gold case), also per 1,000 words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from bench.scoring import THRESHOLD, best_window_lcs, words

Similarity = Callable[[str, str], float]

NAMED_KINDS = ("barrier", "enabler", "approach")
NAME_FIELDS = {"barrier": "barriers", "enabler": "enablers", "approach": "approaches"}
COUNTED_FIELDS = ("barriers", "enablers", "approaches", "outcomes", "lessons")
MIN_NAME = 0.6  # cosine between names
MIN_WORDS = THRESHOLD  # share of the gold quote's words, in order
REVIEW_FACTOR = 1.5
# gold relation -> graph relation (the graph's partly_addressed counts as addressed)
RELATIONS = {"failed_to_address": "did_not_address", "partly_addressed": "addressed"}

# The targets: (comparison, value); review decisions are relative to the gold items.
TARGETS: dict[str, tuple[str, float]] = {
    "named_recall": (">=", 0.60),
    "name_precision": (">=", 0.50),
    "span_recall": (">=", 0.70),
    "link_recall": (">=", 0.50),
    "speaker_right": (">=", 0.90),
    "case_recall": (">=", 1.0),
    "review_decisions": ("<=", REVIEW_FACTOR),
}
TARGET_TEXT = {
    "named_recall": ">= 0.60 per kind",
    "name_precision": ">= 0.50",
    "span_recall": ">= 0.70",
    "link_recall": ">= 0.50",
    "speaker_right": ">= 0.90",
    "case_recall": "all gold cases (002: 7) found with real titles",
    "review_decisions": "<= 1.5 x gold items",
}


def meets(name: str, value: float | None) -> bool | None:
    """True/False against `TARGETS[name]` (review decisions: pass the ratio to the gold items)."""
    if value is None:
        return None
    op, target = TARGETS[name]
    return value >= target - 1e-9 if op == ">=" else value <= target + 1e-9


@dataclass(frozen=True)
class GoldItem:
    kind: str
    name: str
    quote: str


@dataclass(frozen=True)
class GraphItem:
    """An item with claims evidenced in the document; `evidence` holds those claims' evidence texts."""

    kind: str
    name: str
    evidence: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True)
class GraphLink:
    approach: str
    barrier: str
    relation: str = ""


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def as_dict(self) -> dict[str, object]:
        v = self.value
        return {"value": None if v is None else round(v, 3), "hits": self.hits, "total": self.total}


@dataclass
class NamedScore(Ratio):
    """Named-with-evidence recall of one kind, with where the misses fall short."""

    named: int = 0  # gold items with a same-kind name match (evidence or not)
    evidenced: int = 0  # gold items whose quote is in a same-kind item's evidence (name or not)
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "named": self.named, "evidenced": self.evidenced}


# --- gold ---------------------------------------------------------------------------------------


def gold_named_items(gold_doc: dict) -> list[GoldItem]:
    """Gold barriers, enablers and approaches (name, evidence quote) over all cases of a document."""
    return [
        GoldItem(kind, item["name"], item.get("evidence_quote", ""))
        for case in gold_doc["cases"]
        for kind, field_name in NAME_FIELDS.items()
        for item in case.get(field_name, [])
    ]


def gold_names(gold_doc: dict) -> list[str]:
    """Every gold name of a document, any kind: barriers, enablers, approaches, outcomes, lessons
    (their `lesson` text) and the cases' innovations."""
    names: list[str] = []
    for case in gold_doc["cases"]:
        for field_name in COUNTED_FIELDS:
            names += [item.get("name") or item.get("lesson") or "" for item in case.get(field_name, [])]
        names.append((case.get("innovation") or {}).get("name") or "")
    return list(dict.fromkeys(n for n in names if n))


def gold_item_count(gold_doc: dict) -> int:
    """Gold items a reviewer's decisions are compared with: barriers + enablers + approaches +
    outcomes + lessons of every gold case, plus one innovation per case that names one."""
    return sum(
        sum(len(case.get(f, [])) for f in COUNTED_FIELDS) + bool((case.get("innovation") or {}).get("name"))
        for case in gold_doc["cases"]
    )


def gold_links(gold_doc: dict) -> list[dict]:
    return [link for case in gold_doc["cases"] for link in case.get("approach_barrier_links", [])]


def gold_case_names(gold_doc: dict) -> list[tuple[str, ...]]:
    """Per gold case, the names a case title is compared with: `case_name` and `innovation.name`."""
    out = []
    for case in gold_doc["cases"]:
        names = (case.get("case_name"), (case.get("innovation") or {}).get("name"))
        out.append(tuple(n for n in names if n))
    return out


# --- matching -----------------------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def _words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def quote_in(quote: str, evidence: str, threshold: float = MIN_WORDS) -> bool:
    """bench/scoring.py's `snippet_covered` (>= `threshold` of the quote's words, in order, inside
    one window), with a cheap bag-of-words bound first and tokens cached."""
    gold, ev = _words(quote), _words(evidence)
    if not gold or not ev:
        return False
    need = threshold * len(gold)
    bag: dict[str, int] = {}
    for w in ev:
        bag[w] = bag.get(w, 0) + 1
    possible = 0
    for w in gold:
        if bag.get(w, 0) > 0:
            bag[w] -= 1
            possible += 1
    if possible < need:
        return False
    return best_window_lcs(list(gold), list(ev)) >= need


def named_with_evidence(
    gold: Sequence[GoldItem],
    items: Sequence[GraphItem],
    similarity: Similarity,
    min_name: float = MIN_NAME,
    min_words: float = MIN_WORDS,
) -> dict[str, NamedScore]:
    """Per kind: gold items with a same-kind item named alike (cosine >= `min_name`) whose evidence
    holds the gold quote (`quote_in`); misses say what was nearest."""
    scores = {kind: NamedScore() for kind in NAMED_KINDS}
    for g in gold:
        score = scores.setdefault(g.kind, NamedScore())
        score.total += 1
        same = [(it, similarity(g.name, it.name)) for it in items if it.kind == g.kind]
        named = [it for it, sim in same if sim >= min_name]
        evidenced = [it for it, _ in same if any(quote_in(g.quote, ev, min_words) for ev in it.evidence)]
        hit = any(it in evidenced for it in named)
        score.hits += hit
        score.named += bool(named)
        score.evidenced += bool(evidenced)
        if not hit:
            best = max(same, key=lambda x: x[1], default=None)
            near = f"nearest name {best[0].name!r} {best[1]:.2f}" if best else "no item of this kind"
            held = f"quote held by {evidenced[0].name!r}" if evidenced else "quote in no evidence"
            score.misses.append(f"{g.name!r}: {near}; {held}")
    return scores


def name_precision(
    items: Sequence[GraphItem], names: Sequence[str], similarity: Similarity, min_name: float = MIN_NAME
) -> dict[str, Ratio]:
    """Per kind and 'all': items whose name has cosine >= `min_name` with some gold name."""
    out = {kind: Ratio() for kind in (*NAMED_KINDS, "all")}
    for it in items:
        good = any(similarity(it.name, n) >= min_name for n in names)
        for key in (it.kind, "all"):
            ratio = out.setdefault(key, Ratio())
            ratio.total += 1
            ratio.hits += good
    return out


def link_recall(
    gold: Sequence[dict], links: Sequence[GraphLink], similarity: Similarity, min_name: float = MIN_NAME
) -> tuple[Ratio, Ratio]:
    """(found, found with the same relation): gold links joined in the graph by names alike."""
    found, right = Ratio(total=len(gold)), Ratio(total=len(gold))
    for g in gold:
        relation = RELATIONS.get(g.get("relation", ""), g.get("relation", ""))
        matches = [
            link
            for link in links
            if similarity(g["approach"], link.approach) >= min_name
            and similarity(g["barrier"], link.barrier) >= min_name
        ]
        found.hits += bool(matches)
        right.hits += any(RELATIONS.get(m.relation, m.relation) == relation for m in matches)
    return found, right


def case_recall(
    gold: Sequence[tuple[str, ...]], titles: Sequence[str], similarity: Similarity, min_name: float = MIN_NAME
) -> tuple[Ratio, list[tuple[str, str, float]]]:
    """Gold cases matched one-to-one (best pairs first) to titles with cosine >= `min_name` to one
    of the gold case's names; also the (gold name, title, cosine) pairs matched."""
    pairs = []
    for i, names in enumerate(gold):
        for j, title in enumerate(titles):
            best = max((similarity(n, title) for n in names), default=0.0)
            if best >= min_name:
                pairs.append((best, i, j))
    used_gold: set[int] = set()
    used_title: set[int] = set()
    matched = []
    for sim, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i not in used_gold and j not in used_title:
            used_gold.add(i)
            used_title.add(j)
            matched.append((i, (gold[i][0] if gold[i] else "", titles[j], round(sim, 3))))
    return Ratio(len(used_gold), len(gold)), [m for _, m in sorted(matched)]


def review_figure(decisions: int, gold_items: int, words: int, factor: float = REVIEW_FACTOR) -> dict:
    """Decisions against `factor` x gold items, as counts and per 1,000 words; `ratio` is decisions
    per gold item (the target is ratio <= factor)."""
    limit = factor * gold_items
    return {
        "decisions": decisions,
        "per_1000_words": round(1000 * decisions / words, 2) if words else None,
        "gold_items": gold_items,
        "limit": round(limit, 1),
        "limit_per_1000_words": round(1000 * limit / words, 2) if words else None,
        "ratio": round(decisions / gold_items, 2) if gold_items else None,
        "met": decisions <= limit,
    }


# --- similarity ---------------------------------------------------------------------------------


class NameSimilarity:
    """Cosine of two texts from an encoder (`encode(texts) -> matrix of rows`), each text encoded
    once; `prime` encodes many in one batch."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.encode = encode
        self.vectors: dict[str, np.ndarray] = {}

    def prime(self, texts: Iterable[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            matrix = np.asarray(self.encode(missing), dtype=np.float32)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms == 0, 1, norms)
            self.vectors.update(zip(missing, matrix, strict=True))

    def __call__(self, a: str, b: str) -> float:
        self.prime((a, b))
        return float(self.vectors[a] @ self.vectors[b])


def token_jaccard(a: str, b: str) -> float:
    """A model-free stand-in similarity (word-set Jaccard), for tests and dry runs."""
    x, y = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(x & y) / len(x | y) if x | y else 0.0


def item_figures(
    gold_doc: dict,
    items: Sequence[GraphItem],
    links: Sequence[GraphLink],
    decisions: int,
    words: int,
    similarity: Similarity,
) -> dict:
    """The figures that depend on the extracted items (the same code scores the graph and an
    extraction that was never written, bench/lodo.py): named-with-evidence recall per kind, name
    precision per kind, link recall and review decisions, each with its target."""
    gold = gold_named_items(gold_doc)
    names = gold_names(gold_doc)
    if isinstance(similarity, NameSimilarity):
        similarity.prime([*(g.name for g in gold), *names, *(it.name for it in items)])
    named = named_with_evidence(gold, items, similarity)
    total = NamedScore(
        hits=sum(s.hits for s in named.values()),
        total=sum(s.total for s in named.values()),
        named=sum(s.named for s in named.values()),
        evidenced=sum(s.evidenced for s in named.values()),
    )
    precision = name_precision(items, names, similarity)
    found, right = link_recall(gold_links(gold_doc), links, similarity)
    review = review_figure(decisions, gold_item_count(gold_doc), words)
    return {
        "named_recall": {
            **{k: {**s.as_dict(), "met": meets("named_recall", s.value)} for k, s in named.items()},
            "all": total.as_dict(),
            "target": TARGET_TEXT["named_recall"],
        },
        "name_precision": {
            **{k: r.as_dict() for k, r in precision.items()},
            "met": meets("name_precision", precision["all"].value),
            "target": TARGET_TEXT["name_precision"],
        },
        "link_recall": {
            **found.as_dict(),
            "relation_right": right.as_dict(),
            "graph_links": len(links),
            "met": meets("link_recall", found.value),
            "target": TARGET_TEXT["link_recall"],
        },
        "review_decisions": {**review, "target": TARGET_TEXT["review_decisions"]},
        "items": {k: sum(it.kind == k for it in items) for k in NAMED_KINDS},
        "misses": {k: s.misses for k, s in named.items()},
    }


def pool(figures: Sequence[dict]) -> dict:
    """Pooled (sum of hits / sum of totals) named recall, name precision and link recall, and
    summed review decisions, over documents' `item_figures`."""

    def pooled(get: Callable[[dict], dict]) -> dict:
        hits = sum(get(f)["hits"] for f in figures)
        total = sum(get(f)["total"] for f in figures)
        return {"value": round(hits / total, 3) if total else None, "hits": hits, "total": total}

    decisions = sum(f["review_decisions"]["decisions"] for f in figures)
    gold = sum(f["review_decisions"]["gold_items"] for f in figures)
    return {
        "named_recall": {k: pooled(lambda f, k=k: f["named_recall"][k]) for k in (*NAMED_KINDS, "all")},
        "name_precision": {k: pooled(lambda f, k=k: f["name_precision"][k]) for k in (*NAMED_KINDS, "all")},
        "link_recall": pooled(lambda f: f["link_recall"]),
        "review_decisions": {
            "decisions": decisions,
            "gold_items": gold,
            "limit": round(REVIEW_FACTOR * gold, 1),
            "met": decisions <= REVIEW_FACTOR * gold,
        },
    }
