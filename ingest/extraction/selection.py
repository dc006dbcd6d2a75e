"""Choosing findings: per kind, the best sentences grown into short evidence windows, within quotas.

A finding is a *window*: the sentence that scored (the seed) plus its neighbours in the same
excerpt that lean the same way (their score for the kind is in the document's upper half, see
`Weights.extend_share`), at most `Weights.max_sentences` sentences. A point often takes two or
three sentences (a claim, then its reason), and a reader's quote follows the point, not the
full stops. Seeds are taken best first; a seed touching a window of the same kind joins it
instead of starting a new finding. Quotas count findings (windows), not sentences, so the
density cap holds for what a reviewer sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Window:
    """Rows (indexes into the scored sentences) of one finding, contiguous, seed first-scored."""

    seed: int
    rows: list[int]
    score: float

    @property
    def first(self) -> int:
        return self.rows[0]

    @property
    def last(self) -> int:
        return self.rows[-1]


def grow_windows(
    scores: np.ndarray,
    groups: Sequence[int],
    quota: int,
    *,
    eligible: np.ndarray | None = None,
    extend_share: float = 0.5,
    max_sentences: int = 4,
) -> list[Window]:
    """Up to `quota` windows over rows with these `scores` (one kind), best seeds first.

    `groups[i]` is row i's excerpt: windows never cross excerpts. `eligible` masks rows that may
    seed a window. A neighbour joins when its score is in the top `extend_share` of all rows.
    """
    n = len(scores)
    if n == 0 or quota <= 0:
        return []
    threshold = float(np.quantile(scores, 1.0 - extend_share)) if extend_share < 1 else -np.inf
    owner: dict[int, Window] = {}
    windows: list[Window] = []

    def same(a: int, b: int) -> bool:
        return 0 <= a < n and 0 <= b < n and groups[a] == groups[b]

    for row in np.argsort(-scores, kind="stable"):
        row = int(row)
        if len(windows) >= quota:
            break
        if row in owner or (eligible is not None and not eligible[row]):
            continue
        touching = [owner[j] for j in (row - 1, row + 1) if j in owner and same(row, j)]
        joined = next((w for w in touching if len(w.rows) < max_sentences), None)
        if joined is not None:
            joined.rows = sorted([*joined.rows, row])
            owner[row] = joined
            continue
        window = Window(row, [row], float(scores[row]))
        for j in (row - 1, row + 1):
            if (
                len(window.rows) < max_sentences
                and same(row, j)
                and j not in owner
                and scores[j] >= threshold
            ):
                window.rows = sorted([*window.rows, j])
        for j in window.rows:
            owner[j] = window
        windows.append(window)
    return sorted(windows, key=lambda w: w.first)


__all__ = ["Window", "grow_windows"]
