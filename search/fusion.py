"""Fusing the retrievers' ranked lists into one ranking: weighted reciprocal rank fusion (the
default) or fixed-scale score fusion, then overlapping windows merged."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import zip_longest
from typing import Literal

from spreadgraph.search.passages import merge_overlaps
from spreadgraph.search.results import SearchResult

RRF_K = 10
#: The excerpt vector list counts 0.75 of a full-text list in RRF. Windows that share their best
#: sentence tie in the vector list (a window scores its best sentence), so its ranks are coarser
#: than Lucene's over the window text. Measured over the corpus (docs/benchmarks.md, relevance):
#: dev MRR 0.85 -> 0.93 and on the 354-query proxy 0.88 -> 0.91; weights 0.5-0.75 help both sets,
#: 1.25 hurts both. Node kinds (case, barrier, approach) are unmeasured and keep weight 1.
RRF_WEIGHTS: dict[str, float] = {"excerpt:vector": 0.75, "excerpt:concepts": 0.5}
#: Fixed-scale score fusion (``fusion="score"``): ``W_VECTOR·cos + W_FULLTEXT·s/(s + LUCENE_HALF)``.
#: Cosine is taken from the index score (Neo4j reports (1 + cos) / 2); the Lucene score s is
#: squashed by a fixed saturating transform, never by per-query min-max. Missing from a list = 0,
#: except excerpt windows found by full text only, which get their exact vector score.
W_VECTOR = 0.7
W_FULLTEXT = 0.3
LUCENE_HALF = 10.0  # a Lucene score of 10 maps to 0.5 (round value, not tuned per query)
FUSION = "rrf"
Fusion = Literal["rrf", "score"]


def rrf(
    rankings: dict[str, Sequence[str]], k: int = RRF_K, weights: dict[str, float] | None = None
) -> dict[str, float]:
    """Weighted reciprocal rank fusion over named rankings (ids, best first; rank counts from 1):
    ``sum weight / (k + rank)``, weight 1 unless :data:`RRF_WEIGHTS` (or `weights`) names the list."""
    weights = RRF_WEIGHTS if weights is None else weights
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def cosine_of(index_score: float) -> float:
    """Cosine from a Neo4j vector score, which is (1 + cos) / 2 in [0, 1]."""
    return 2.0 * index_score - 1.0


def saturate(lucene_score: float, half: float = LUCENE_HALF) -> float:
    """A Lucene score on a fixed [0, 1) scale: s / (s + half), the same for every query."""
    s = max(lucene_score, 0.0)
    return s / (s + half)


def score_fusion(
    scores: dict[str, dict[str, float]],
    weights: dict[str, float] | None = None,
    fill: dict[str, dict[str, float]] | None = None,
) -> dict[str, float]:
    """Convex fusion of fixed-scale scores per retriever (`vector` cosine, `fulltext` Lucene).

    ``scores`` maps a list name ``"<kind>:<retriever>"`` to {item: raw score}. An item missing
    from a list contributes its score from ``fill`` (same list name) if given, else 0 (no
    evidence), never a per-query minimum.
    """
    weights = weights or {"vector": W_VECTOR, "fulltext": W_FULLTEXT}
    fused: dict[str, float] = {}
    for name, extra in (fill or {}).items():
        scores = {**scores, name: {**extra, **scores.get(name, {})}}
    for name, items in scores.items():
        retriever = name.split(":", 1)[1]
        for item, raw in items.items():
            value = cosine_of(raw) if retriever == "vector" else saturate(raw)
            fused[item] = fused.get(item, 0.0) + weights[retriever] * value
    return fused


def interleave(*lists: Sequence[SearchResult]) -> list[str]:
    """Ids from the lists, first of each, then second of each, ... (each id once)."""
    seen: dict[str, None] = {}
    for row in zip_longest(*lists):
        for r in row:
            if r is not None:
                seen.setdefault(r.id)
    return list(seen)


def fuse(
    lists: dict[str, list[SearchResult]],
    limit: int,
    fusion: Fusion = FUSION,
    fill: dict[str, dict[str, float]] | None = None,
    weights: dict[str, float] | None = None,
) -> list[SearchResult]:
    """RRF (or fixed-scale score fusion) over the lists (one result per kind and id), overlap
    suppression, the best `limit`. `weights`: RRF weights for this query (default
    :data:`RRF_WEIGHTS`)."""
    if fusion not in ("rrf", "score"):
        raise ValueError(f"unknown fusion: {fusion!r} (use rrf or score)")
    best: dict[str, SearchResult] = {}
    rankings: dict[str, list[str]] = {}
    raw: dict[str, dict[str, float]] = {}
    for name, results in lists.items():
        keys = []
        for rank, r in enumerate(results, start=1):
            key = f"{r.kind}|{r.id}"
            keys.append(key)
            best.setdefault(key, r)  # the lists are not used again: no copy
            best[key].ranks[name.split(":", 1)[1]] = rank
            raw.setdefault(name, {}).setdefault(key, r.score)
        rankings[name] = keys
    fused = rrf(rankings, weights=weights) if fusion == "rrf" else score_fusion(raw, fill=fill)
    order = sorted(fused, key=lambda key: (-fused[key], key))
    ranked = []
    for key in order:
        r = best[key]
        r.score = round(fused[key], 6)
        ranked.append(r)
    return merge_overlaps(ranked)[:limit]
