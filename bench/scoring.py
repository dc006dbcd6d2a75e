"""Relevance scoring exactly as ``../shared/eval/README.md`` describes it.

A ranked result is a **hit** for a query when

* its file name equals the query's expected file (compared by base name, so a result may carry
  a full path), and
* its evidence text contains at least 60% of the words of one of the query's gold snippets,
  in order, after normalisation.

Choices made where the README is terse (each is a pure function below, with unit tests):

normalisation (:func:`normalise`)
    Unicode NFKC; curly/low/prime quotes and backticks become ``'`` or ``"``; markdown emphasis
    markers (runs of ``*`` or ``_``, and ``~~``) become a space; soft hyphens are dropped;
    text is lower-cased and every run of whitespace becomes one space.
words (:func:`words`)
    The maximal runs of letters and digits of the normalised text. Punctuation, including the
    quote characters themselves, separates words and is not a word, so ``'fixed'.`` and
    ``"fixed"`` both give ``fixed``, and ``co-production`` gives ``co`` and ``production`` on
    both sides of the comparison.
"60% of the words, in order" (:func:`snippet_covered`)
    The longest common subsequence (LCS) of the gold snippet's word list and the evidence's
    word list must be at least ``0.6 * len(gold words)`` (so a 3-word snippet needs 2 words,
    a 10-word snippet 6). Words may be skipped on either side, which tolerates a page break,
    an inline footnote or a quote whose end was cut off, but they must appear in the gold
    order. The matched evidence words must also lie inside one window of at most
    ``max(2 * len(gold words), len(gold words) + 10)`` evidence words, so that common words
    scattered across a long passage do not add up to a spurious match (checked by
    :func:`best_window_lcs`). An empty gold snippet never matches.

Ranking metrics over all queries, with ``k = 5`` by default: hit@1 (first result is a hit),
hit@k (any of the first k is a hit) and MRR (mean of 1/rank of the first hit within the first
k; 0 when none).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

THRESHOLD = 0.6
DEFAULT_K = 5

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00ad": None,
    }
)
_EMPHASIS = re.compile(r"\*+|_+|~~")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Fold quotes, drop markdown emphasis, lower-case and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _EMPHASIS.sub(" ", text)
    return _SPACE.sub(" ", text.lower()).strip()


def words(text: str) -> list[str]:
    """The word tokens of a text after :func:`normalise`."""
    return _WORD.findall(normalise(text))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token lists (O(len(a) * len(b)))."""
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return 0
    previous = [0] * (len(a) + 1)
    for token in b:
        current = [0]
        for i, other in enumerate(a):
            current.append(previous[i] + 1 if token == other else max(previous[i + 1], current[i]))
        previous = current
    return previous[-1]


def window_size(gold_len: int) -> int:
    """Widest stretch of evidence words one gold snippet's matched words may span."""
    return max(2 * gold_len, gold_len + 10)


def best_window_lcs(gold: Sequence[str], evidence: Sequence[str]) -> int:
    """Largest LCS between ``gold`` and any window of :func:`window_size` evidence words.

    Only windows that start on a word of ``gold`` are tried (a best match can always be moved
    to start on its first matched word), which keeps long evidence texts cheap.
    """
    if not gold or not evidence:
        return 0
    width = window_size(len(gold))
    if len(evidence) <= width:
        return lcs_length(gold, evidence)
    vocabulary = set(gold)
    best = 0
    for start, token in enumerate(evidence):
        if token in vocabulary:
            best = max(best, lcs_length(gold, evidence[start : start + width]))
            if best == len(gold):
                break
    return best


def snippet_covered(gold_snippet: str, evidence: str, threshold: float = THRESHOLD) -> bool:
    """True when ``evidence`` holds at least ``threshold`` of the snippet's words, in order."""
    gold = words(gold_snippet)
    if not gold:
        return False
    return best_window_lcs(gold, words(evidence)) >= threshold * len(gold)


def same_file(result_file: str, expected_file: str) -> bool:
    """Compare file names by base name, so a stored path and a bare name agree."""
    return PurePath(result_file.strip()).name == PurePath(expected_file.strip()).name


def is_hit(result_file: str, evidence: str, expected_file: str, gold: Iterable[str]) -> bool:
    """The README's hit test for one result against one query's expectations."""
    if not same_file(result_file, expected_file):
        return False
    return any(snippet_covered(snippet, evidence) for snippet in gold)


def first_hit_rank(
    results: Sequence[tuple[str, str]], expected_file: str, gold: Sequence[str], k: int = DEFAULT_K
) -> int | None:
    """1-based rank of the first hit among the top ``k`` ``(file, evidence)`` results, else None."""
    for rank, (file_name, evidence) in enumerate(results[:k], start=1):
        if is_hit(file_name, evidence, expected_file, gold):
            return rank
    return None


@dataclass(frozen=True)
class Scores:
    """Aggregate metrics over a query set."""

    hit_at_1: float
    hit_at_k: float
    mrr: float
    k: int
    n: int
    ranks: dict[str, int | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (the per-query ranks included)."""
        return {
            "hit@1": self.hit_at_1,
            f"hit@{self.k}": self.hit_at_k,
            "mrr": self.mrr,
            "k": self.k,
            "n": self.n,
            "ranks": dict(self.ranks),
        }


def aggregate(ranks: dict[str, int | None], k: int = DEFAULT_K) -> Scores:
    """hit@1, hit@k and MRR from each query's first-hit rank (None = no hit in the top k)."""
    n = len(ranks)
    if n == 0:
        return Scores(0.0, 0.0, 0.0, k, 0, {})
    within = [r for r in ranks.values() if r is not None and r <= k]
    return Scores(
        hit_at_1=sum(1 for r in within if r == 1) / n,
        hit_at_k=len(within) / n,
        mrr=sum(1.0 / r for r in within) / n,
        k=k,
        n=n,
        ranks=dict(ranks),
    )
