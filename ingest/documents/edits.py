"""Provenance-keeping text edits: every cleaning rule is a list of `(start, end, replacement)`.

`apply_edits` returns the edited text and, for each new character, the index of the old
character it came from; composing these arrays over all rules gives the cleaned -> raw map.
Rules prefer deleting characters (markup, markers) over rewriting, so a cleaned span maps back
to the exact raw span, including anything removed from inside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Edit = tuple[int, int, str]


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[int]]:
    """Apply non-overlapping edits (overlaps: the later one is skipped); return text and map."""
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            continue
        out.append(text[pos:start])
        offsets.extend(range(pos, start))
        out.append(replacement)
        span = max(end - start, 1)
        offsets.extend(min(start + k, start + span - 1) for k in range(len(replacement)))
        pos = end
    out.append(text[pos:])
    offsets.extend(range(pos, len(text)))
    return "".join(out), offsets


def regex_edits(
    text: str, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
) -> list[Edit]:
    """Edits replacing every match of `pattern` (like re.sub, but kept as edits)."""
    edits: list[Edit] = []
    for m in pattern.finditer(text):
        new = repl(m) if callable(repl) else m.expand(repl)
        if new != m.group(0):
            edits.append((m.start(), m.end(), new))
    return edits


def group_deletions(pattern: re.Pattern[str], text: str, groups: tuple[str, ...]) -> list[Edit]:
    """Edits deleting only the named groups of each match (e.g. the `**` around bold text)."""
    edits: list[Edit] = []
    for m in pattern.finditer(text):
        for g in groups:
            if m.group(g) is not None and m.end(g) > m.start(g):
                edits.append((m.start(g), m.end(g), ""))
    return edits


class TrackedText:
    """Text plus its map to the original; `edit` applies one rule and composes the maps."""

    def __init__(self, raw: str) -> None:
        self.text = raw
        self.offsets = list(range(len(raw)))

    def edit(self, edits: Iterable[Edit]) -> None:
        edits = list(edits)
        if not edits:
            return
        self.text, step = apply_edits(self.text, edits)
        self.offsets = [self.offsets[i] for i in step]

    def raw_index(self, index: int) -> int:
        return (
            self.offsets[index]
            if index < len(self.offsets)
            else (self.offsets[-1] + 1 if self.offsets else 0)
        )
