"""Per-kind sentence scores from cue phrases, prototype and taxonomy similarity, section and context.

    score(kind) = cue (0..1, document-damped) + proto * max sim to the kind's prototypes
                  + tax * mean of the 3 best sims to the kind's taxonomy anchors
                  + section bonus (heading names the kind) + smooth * mean of neighbours' scores
Taxonomy anchors per kind: CFIR cues whose wording is negative (barrier) or not (enabler), ERIC
names+descriptions and cues (approach). Selection keeps, for each kind, evidence windows grown
from the best-scoring sentences, up to a per-kind quota of findings per 1,000 words (summing to
at most the density cap); a sentence can seed more than one kind, but not a kind it plainly is
not (its score must be within a margin of its best kind's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from spreadgraph.schema.extraction_models import KINDS, Sentence

from .anchors import Anchor
from .cues import CueHits, cue_scores, document_damping
from .selection import grow_windows

SECTION_CUES: dict[str, re.Pattern[str]] = {
    "barrier": re.compile(r"barrier|challenge|difficult|obstacle|problem|constraint|lack of", re.I),
    "enabler": re.compile(r"enabler|facilitat|success factor|what helped|what worked|strength", re.I),
    "approach": re.compile(r"approach|implement|intervention|strateg|how .* introduced", re.I),
    "outcome": re.compile(r"outcome|impact|result|achievement|benefit|success in", re.I),
    "lesson": re.compile(r"lesson|learning|recommendation|insight|tips|reflection|conclusion", re.I),
}


@dataclass(frozen=True)
class Weights:
    """Parameters of the scorer and the selection; quotas are findings per 1,000 words per kind.

    Findings are evidence windows (`selection.py`): a seed sentence plus neighbours in the same
    excerpt whose score for the kind is in the top `extend_share`, at most `max_sentences`.
    """

    proto: float = 1.0
    tax: float = 1.0
    section: float = 0.2
    smooth: float = 0.3
    cue_damping: float = 0.1
    min_score: float = 0.9
    margin: float = 0.6
    extend_share: float = 0.5
    max_sentences: int = 4
    max_per_1000_words: float = 25.0
    # least cosine for a finding to resolve to a concept by embedding alone (lexical matches always
    # resolve); chosen leave-one-document-out (bench/lodo.py)
    resolve: float = 0.7
    # a window may state more than one point: it may name up to this many concepts (one finding each)
    concepts_per_finding: int = 1
    quotas: tuple[tuple[str, float], ...] = (
        ("barrier", 5.5),
        ("enabler", 7.5),
        ("approach", 9.0),
        ("outcome", 1.5),
        ("lesson", 1.5),
    )


@dataclass
class Scored:
    """A sentence's per-kind scores, the cues that fired and its best taxonomy codes."""

    sentence: Sentence
    scores: dict[str, float]
    cues: CueHits
    similarity: dict[str, float] = field(default_factory=dict)
    codes: dict[str, list[tuple[Anchor, float]]] = field(default_factory=dict)


def best_codes(sims: np.ndarray, anchors: list[Anchor], top: int = 2) -> list[tuple[Anchor, float]]:
    """Best `top` distinct codes, each scored by its best-matching anchor text."""
    best: dict[str, tuple[Anchor, float]] = {}
    for j in np.argsort(-sims):
        anchor = anchors[int(j)]
        if anchor.code not in best:
            best[anchor.code or anchor.text] = (anchor, float(sims[j]))
        if len(best) == top:
            break
    return list(best.values())


def score_sentences(
    sentences: list[Sentence],
    vectors: np.ndarray,
    anchors: list[Anchor],
    anchor_vectors: np.ndarray,
    weights: Weights,
) -> list[Scored]:
    """Per-kind scores for every sentence (`vectors` are unit rows aligned with `sentences`)."""
    if not sentences:
        return []
    sims = vectors @ anchor_vectors.T
    proto_cols = {k: [i for i, a in enumerate(anchors) if a.kind == k and a.scheme is None] for k in KINDS}
    tax_cols = {k: [i for i, a in enumerate(anchors) if a.kind == k and a.scheme] for k in KINDS}
    code_cols = {s: [i for i, a in enumerate(anchors) if a.scheme == s] for s in ("cfir2", "eric")}
    damping = document_damping([s.text for s in sentences], weights.cue_damping)
    raw = np.zeros((len(sentences), len(KINDS)))
    scored: list[Scored] = []
    for row, sentence in enumerate(sentences):
        cues = cue_scores(sentence.text, damping)
        similarity: dict[str, float] = {}
        for j, kind in enumerate(KINDS):
            proto = float(sims[row, proto_cols[kind]].max()) if proto_cols[kind] else 0.0
            tax = float(np.sort(sims[row, tax_cols[kind]])[-3:].mean()) if tax_cols[kind] else proto
            similarity[kind] = max(proto, tax)
            value = cues.scores[kind] + weights.proto * proto + weights.tax * tax
            if sentence.section and SECTION_CUES[kind].search(sentence.section):
                value += weights.section
            raw[row, j] = value
        codes = {
            scheme: best_codes(sims[row, cols], [anchors[i] for i in cols])
            for scheme, cols in code_cols.items()
            if cols
        }
        scored.append(Scored(sentence, {}, cues, similarity, codes))
    for row, item in enumerate(scored):
        same = [
            raw[j]
            for j in (row - 1, row + 1)
            if 0 <= j < len(scored) and scored[j].sentence.excerpt_index == item.sentence.excerpt_index
        ]
        value = raw[row] + (weights.smooth * np.mean(same, axis=0) if same else 0.0)
        item.scores = {kind: float(value[j]) for j, kind in enumerate(KINDS)}
    return scored


def quotas(words: int, weights: Weights) -> dict[str, int]:
    """Items allowed per kind for a document of `words` words: the density cap shared out in
    proportion to the per-kind quotas (largest remainders), never above the cap."""
    per_kind = {kind: dict(weights.quotas).get(kind, 0.0) for kind in KINDS}
    total = sum(per_kind.values())
    cap = int(min(total, weights.max_per_1000_words) * words / 1000)
    if not total or cap <= 0:
        return dict.fromkeys(KINDS, 0)
    exact = {kind: cap * q / total for kind, q in per_kind.items()}
    out = {kind: int(x) for kind, x in exact.items()}
    for kind in sorted(KINDS, key=lambda k: out[k] - exact[k])[: cap - sum(out.values())]:
        out[kind] += 1
    return out


def select(scored: list[Scored], words: int, weights: Weights) -> list[tuple[Scored, str, list[Scored]]]:
    """(seed sentence, kind, window sentences) kept: per kind, up to its quota of windows grown from
    the best-scoring sentences whose score is at least `min_score` and within `margin` of the
    sentence's best kind (see `selection.grow_windows`); neighbours join a window by score alone."""
    kept: list[tuple[Scored, str, list[Scored]]] = []
    if not scored:
        return kept
    groups = [s.sentence.excerpt_index for s in scored]
    best = np.array([max(s.scores.values()) for s in scored])
    for kind, quota in quotas(words, weights).items():
        values = np.array([s.scores[kind] for s in scored])
        windows = grow_windows(
            values,
            groups,
            quota,
            eligible=(values >= weights.min_score) & (values >= best - weights.margin),
            extend_share=weights.extend_share,
            max_sentences=weights.max_sentences,
        )
        kept.extend((scored[w.seed], kind, [scored[r] for r in w.rows]) for w in windows)
    kept.sort(key=lambda x: (x[2][0].sentence.start, KINDS.index(x[1])))
    return kept


def confidence(item: Scored, kind: str) -> float:
    """Heuristic 0..1: half from the cue score, half from embedding similarity (0.2 -> 0, 0.6 -> 1)."""
    sim = min(1.0, max(0.0, (item.similarity.get(kind, 0.0) - 0.2) / 0.4))
    return round(0.5 * item.cues.scores[kind] + 0.5 * sim, 3)
