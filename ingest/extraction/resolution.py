"""Naming by resolution: each finding resolves to a concept of the vocabulary (schema/concepts.yaml).

A finding (an evidence window of one kind) resolves to a concept of the same kind by

* **lexical match**: a concept's name or variant found in the window's words (normalised like
  concept names: case, punctuation, British/American spelling). Overlapping matches keep the
  longest, so "lack of protected time" (a barrier phrase) hides the "protected time" (enabler)
  inside it. A phrase right after a negator ("no", "lack of", "without", "not enough", ...) is
  read as its mirror: "no protected time" is the barrier opposite "protected time", and a negated
  phrase whose concept has no mirror does not count;
* **embedding match**: MiniLM cosine between the window's sentences and each concept's texts
  (`name: definition`, and every phrasing); a concept's score is its best text against the
  window's best sentence. Concept texts are encoded once through the `VectorCache` (kept on disk
  like the anchors).

A lexical match of the finding's kind wins (several: the one in the seed sentence, then the
longest phrase, then the better embedding score). Otherwise the best embedding match of the kind
resolves the finding when its cosine is at least `threshold` (fitted leave-one-document-out, see
bench/lodo.py). A finding that resolves to nothing is not named: the writer keeps it as evidence
coded to its best CFIR construct / ERIC strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spreadgraph.schema.concepts import Concept, load_concepts, phrase_key

from .anchors import VectorCache

RESOLVED_KINDS = ("barrier", "enabler", "approach")
# Negators, normalised like the text (so "didn't" -> "didnt"); a phrase starting within
# NEGATION_WINDOW words after one of these is read as negated.
NEGATORS = (
    "no",
    "not",
    "never",
    "without",
    "lack of",
    "lacking",
    "lacked",
    "lack",
    "absence of",
    "absent",
    "insufficient",
    "inadequate",
    "limited",
    "little",
    "not enough",
    "too little",
    "didnt have",
    "did not have",
    "no longer",
    "nor",
    "neither",
    "shortage of",
    "loss of",
    "poor",
)
NEGATION_WINDOW = 3


@dataclass(frozen=True)
class Match:
    """A phrasing of `concept` found in normalised text, word positions [start, end)."""

    concept: Concept
    phrase: str
    start: int
    end: int
    negated: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Resolution:
    """What a finding resolved to; `concept` None when nothing passed."""

    concept: Concept | None
    score: float
    method: str  # "lexical" | "embedding" | "none"
    best: Concept | None = None  # the best embedding candidate, even below the threshold


def _words(text: str) -> list[str]:
    return phrase_key(text).split()


class PhraseIndex:
    """Every concept phrasing, by its first word, for finding longest non-overlapping matches."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = {c.id: c for c in concepts}
        self._by_first: dict[str, list[tuple[tuple[str, ...], Concept]]] = {}
        for concept in self.concepts.values():
            for phrasing in concept.phrasings():
                words = tuple(_words(phrasing))
                if words:
                    self._by_first.setdefault(words[0], []).append((words, concept))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._negators = sorted((tuple(n.split()) for n in {phrase_key(x) for x in NEGATORS}), key=len)

    def all_matches(self, words: Sequence[str]) -> list[Match]:
        """Every occurrence of every phrasing (overlaps included)."""
        found = []
        for i, word in enumerate(words):
            for phrase, concept in self._by_first.get(word, ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    found.append(Match(concept, " ".join(phrase), i, i + len(phrase)))
        return found

    def negated(self, words: Sequence[str], start: int) -> bool:
        """True when a negator ends within NEGATION_WINDOW words before `start`."""
        for end in range(start, max(-1, start - NEGATION_WINDOW - 1), -1):
            for neg in self._negators:
                if end - len(neg) >= 0 and tuple(words[end - len(neg) : end]) == neg:
                    return True
        return False

    def matches(self, text: str) -> list[Match]:
        """Longest non-overlapping matches in `text`, each read through negation: a negated phrase
        becomes its concept's opposite (or is dropped when the concept has none)."""
        words = _words(text)
        chosen: list[Match] = []
        taken: set[int] = set()
        for match in sorted(self.all_matches(words), key=lambda m: (-m.length, m.start)):
            if taken & set(range(match.start, match.end)):
                continue
            taken.update(range(match.start, match.end))
            if self.negated(words, match.start) and not _self_negating(match.phrase):
                opposite = self.concepts.get(match.concept.opposite or "")
                if opposite is None:
                    continue
                match = Match(opposite, match.phrase, match.start, match.end, negated=True)
            chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)


def _self_negating(phrase: str) -> bool:
    """A phrase that already carries its negation ("lack of time"): a negator before it is the
    same negation said twice ("there was a lack of time"), not a double negative."""
    first = phrase.split()[0]
    return first in {"lack", "no", "not", "insufficient", "limited", "without", "poor", "low", "little"}


def concept_texts(concept: Concept) -> list[str]:
    """Texts a window is compared with: 'name: definition', then each phrasing."""
    return [f"{concept.name}: {concept.definition}", *concept.phrasings()]


class ConceptResolver:
    """Resolves findings to concepts (see the module docstring); build once per extractor."""

    def __init__(self, concepts: Sequence[Concept] | None = None, threshold: float = 0.5) -> None:
        self.concepts = [c for c in (concepts or load_concepts()) if c.kind in RESOLVED_KINDS]
        self.threshold = threshold
        self.index = PhraseIndex(self.concepts)
        self._texts: list[str] = []
        self._owner: list[int] = []
        for i, concept in enumerate(self.concepts):
            for text in concept_texts(concept):
                self._texts.append(text)
                self._owner.append(i)
        self._owner_array = np.array(self._owner)
        self._kind_of = np.array([c.kind for c in self.concepts])

    def texts(self) -> list[str]:
        return list(self._texts)

    def concept_scores(
        self, sentence_vectors: np.ndarray, cache: VectorCache, store: Path | None
    ) -> np.ndarray:
        """(sentences x concepts) best cosine of each sentence to any of each concept's texts."""
        text_vectors = cache.stored(self._texts, store)
        sims = sentence_vectors @ text_vectors.T if len(sentence_vectors) else np.zeros((0, len(self._texts)))
        out = np.full((sims.shape[0], len(self.concepts)), -1.0, dtype=np.float32)
        np.maximum.at(out.T, self._owner_array, sims.T)
        return out

    def resolve_all(
        self,
        kind: str,
        texts: Sequence[str],
        scores: np.ndarray,
        seed: int = 0,
        threshold: float | None = None,
        limit: int = 1,
    ) -> list[Resolution]:
        """Up to `limit` distinct concepts for one finding: `resolve`'s first, then the window's
        other lexical matches of the kind, then the embedding best above the threshold (a window
        of several sentences often states two points)."""
        first = self.resolve(kind, texts, scores, seed, threshold)
        if first.concept is None or limit <= 1:
            return [first]
        threshold = self.threshold if threshold is None else threshold
        best_row = scores.max(axis=0)
        position = {c.id: i for i, c in enumerate(self.concepts)}
        out = [first]
        seen = {first.concept.id}
        lexical = []
        for row, text in enumerate(texts):
            for match in self.index.matches(text):
                if match.concept.kind == kind and match.concept.id not in seen:
                    sim = float(best_row[position[match.concept.id]])
                    lexical.append((row == seed, match.length, sim, match.concept))
        for _, _, sim, concept in sorted(lexical, key=lambda x: (x[0], x[1], x[2]), reverse=True):
            if concept.id not in seen:
                seen.add(concept.id)
                out.append(Resolution(concept, sim, "lexical", first.best))
        if first.best is not None and first.best.id not in seen:
            score = float(best_row[position[first.best.id]])
            if score >= threshold:
                out.append(Resolution(first.best, score, "embedding", first.best))
        return out[:limit]

    def resolve(
        self,
        kind: str,
        texts: Sequence[str],
        scores: np.ndarray,
        seed: int = 0,
        threshold: float | None = None,
    ) -> Resolution:
        """Resolve one finding of `kind` whose window sentences are `texts` (`seed` the index of
        the one that scored), `scores` their rows of `concept_scores`."""
        if kind not in RESOLVED_KINDS or not len(texts):
            return Resolution(None, 0.0, "none")
        threshold = self.threshold if threshold is None else threshold
        best_row = scores.max(axis=0)
        of_kind = self._kind_of == kind
        masked = np.where(of_kind, best_row, -np.inf)
        top = int(np.argmax(masked))
        best, best_score = self.concepts[top], float(masked[top])
        lexical: list[tuple[int, int, float, Concept]] = []
        position = {c.id: i for i, c in enumerate(self.concepts)}
        for row, text in enumerate(texts):
            for match in self.index.matches(text):
                if match.concept.kind == kind:
                    sim = float(best_row[position[match.concept.id]])
                    lexical.append((row == seed, match.length, sim, match.concept))
        if lexical:
            _, _, sim, concept = max(lexical, key=lambda x: (x[0], x[1], x[2]))
            return Resolution(concept, sim, "lexical", best)
        if best_score >= threshold:
            return Resolution(best, best_score, "embedding", best)
        return Resolution(None, best_score, "none", best)


__all__ = ["ConceptResolver", "Match", "PhraseIndex", "Resolution", "concept_texts"]
