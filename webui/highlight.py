"""Split a source's text at its excerpts' [start, end) spans, so each span can be highlighted exactly."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from spreadgraph.webui.contexts import Segment


def segments(text: str, spans: Iterable[tuple[str, int | None, int | None]]) -> tuple[list[Segment], int]:
    """Cut `text` at every span boundary: each segment lists the excerpts covering it, and the first
    segment of each excerpt names it as an anchor. Overlapping and nested spans are fine. Returns the
    segments and how many spans could not be placed (missing or outside the text)."""
    valid: list[tuple[str, int, int]] = []
    bad = 0
    for excerpt_id, start, end in spans:
        if start is None or end is None or not 0 <= start < end <= len(text):
            bad += 1
        else:
            valid.append((excerpt_id, start, end))
    cuts = sorted({0, len(text), *(s for _, s, _ in valid), *(e for _, _, e in valid)})
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for excerpt_id, start, end in valid:
        starts.setdefault(start, []).append(excerpt_id)
        ends.setdefault(end, []).append(excerpt_id)
    active: dict[str, None] = {}
    out: list[Segment] = []
    for left, right in itertools.pairwise(cuts):
        for excerpt_id in ends.get(left, ()):
            active.pop(excerpt_id, None)
        opened = starts.get(left, [])
        for excerpt_id in opened:
            active[excerpt_id] = None
        out.append(Segment(text=text[left:right], excerpts=list(active), anchors=list(opened)))
    return out, bad
