"""How well the query's own words are found in the text: the weight of the full-text list.

Staff ask in two ways. Some questions use the report's words ("teams without protected time to
plan"): full text finds the passage and should lead. Others say the same thing in other words
("what happens to the know-how when key people leave?"): full text then ranks passages that
share one or two common words, and in RRF those push the right passage out of the top five.

So the fusion weights are set per query from one reading: the share of the query's content words
(the words the full-text query is built from, search/query.py, without the added verb forms)
that occur, Porter-stemmed as Lucene's English analyzer stems them, in the full-text list's best
window. :func:`lexical_weight` maps that share to the full-text list's weight, ``min(1, 2 x
share)``: full weight once half of the query's words are in one window; the rest of the weight
goes to the passage-level vector list (each excerpt's own embedding), which matches meaning over a
whole paragraph. Nothing here is per question: one measured share, one fixed rule, chosen on the
dev and proxy sets (where it changes little) and judged on the frozen staff set
(docs/benchmarks.md, "Lexical weight").

The stemmer is `snowballstemmer`'s Porter algorithm (the Snowball project's own Python port,
the stemmer Sphinx uses): the same algorithm as Lucene's PorterStemFilter, so "coaches" and
"coaching" meet here as they do in the index.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

#: The share of the query's words in the best full-text window at which full text gets its full
#: weight; below it, full text's weight falls linearly to 0 and the passage vectors' rises to 1.
FULL_WEIGHT_SHARE = 0.5
_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("porter")


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Porter stem of one lower-cased word."""
    return _STEMMER.stemWord(word)


def stems(text: str) -> set[str]:
    """The stems of every word in `text`."""
    return {stem(word) for word in _WORD.findall(text.lower())}


def word_share(words: list[str], text: str) -> float:
    """The share of `words` (the query's content words) whose stem occurs in `text`; 0 without words."""
    wanted = {stem(word) for word in words}
    if not wanted:
        return 0.0
    return len(wanted & stems(text)) / len(wanted)


def lexical_weight(share: float) -> float:
    """The full-text list's RRF weight for a query whose best full-text window holds `share` of
    its words; the passage-vector list gets ``1 - lexical_weight(share)``."""
    return min(1.0, max(0.0, share) / FULL_WEIGHT_SHARE)
