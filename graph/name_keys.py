"""Word keys for comparing free-text names and citations (pure functions, no graph access).

`words` turns a name into comparable words: case, spelling (British/American), apostrophes,
parentheses inside a word ("M(ums)") and hyphens inside a word ("place-based") do not matter,
and a plural '-s' is dropped. `content` drops function words. `name_key` is the identity key of a
name regardless of word order and function words: "Lack of staff time" and "staff time, lack of"
share it, "lack of staff" and "lack of staff engagement" do not.
"""

from __future__ import annotations

import re

from spreadgraph.schema.concepts import phrase_key

_FUNCTION_WORDS = (
    "a an the of for in on at to and or with by from as its their his her our this that these those"
)
STOPWORDS = frozenset(_FUNCTION_WORDS.split()) | {"is", "are", "was", "were", "be", "been"}
_JOIN = re.compile(r"(?<=\w)[-‐‑–()’'](?=\w)|[()](?=\w)|(?<=\w)[()]")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The comparable words of `text`, in order."""
    return [_singular(w) for w in phrase_key(_JOIN.sub("", text or "")).split()]


def content(text: str) -> list[str]:
    """`words` without function words."""
    return [w for w in words(text) if w not in STOPWORDS]


def name_key(text: str) -> str:
    """Order-free identity key of a name: its distinct content words, sorted."""
    return " ".join(sorted(set(content(text))))


def longest_run(needle: list[str], haystack: list[str]) -> int:
    """Length of the longest run of consecutive words of `needle` found, in order, in `haystack`."""
    best = 0
    for i in range(len(needle)):
        for j in range(len(haystack)):
            k = 0
            while i + k < len(needle) and j + k < len(haystack) and needle[i + k] == haystack[j + k]:
                k += 1
            best = max(best, k)
    return best
