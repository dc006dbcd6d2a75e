"""Per-site results from a document's tables: "AHSN 04 - TCAM spread success: Yes".

Reviews report rollouts as tables (flattened to tab-separated lines in text exports): one row per
site or region, with a column saying whether the rollout succeeded. Such a table is found by its
header row alone:

* a tab-separated line of at least three cells, one of which names an outcome
  (:data:`OUTCOME_HEADER`: "... success", "adopted", "outcome", "sustained", "spread");
* the rows that follow with a yes/no-like value in that column (:data:`VALUES`), up to the next
  line that is neither such a row nor a repeat of the header (tables broken by a page repeat
  their header).

Each row becomes a :class:`SiteResult`: the site label (the first column's header without "ID"
or "name", then the row's first cell: "AHSN 04"), whether it succeeded, the header's own words
for what counted ("TCAM spread success"), the acronym it names if any (to attach the result to
that programme's case) and the row's span. Nothing else of the row is interpreted: its barriers
and lessons reach the graph as the row's excerpt text, through the extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spreadgraph.schema.document_models import SiteOutcome

OUTCOME_HEADER = re.compile(r"\b(success\w*|adopt\w*|outcome|sustain\w*|spread)\b", re.I)
VALUES = {
    "yes": True,
    "y": True,
    "successful": True,
    "success": True,
    "adopted": True,
    "no": False,
    "n": False,
    "unsuccessful": False,
    "not adopted": False,
    "failed": False,
}
_ID_WORDS = re.compile(r"\s*\b(id|ids|name|code|no\.?|number)\b\s*", re.I)


@dataclass(frozen=True)
class SiteResult:
    """One site's or region's result as a table states it."""

    site: str
    success: bool
    measure: str
    acronym: str | None
    start: int
    end: int

    def outcome(self) -> SiteOutcome:
        """The result as the document model holds it."""
        fields = {"site": self.site, "success": self.success, "measure": self.measure}
        return SiteOutcome(**fields, start=self.start, end=self.end)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def _outcome_column(header: list[str]) -> int | None:
    if len(header) < 3 or not header[0]:
        return None
    for i, cell in enumerate(header[1:], start=1):
        if OUTCOME_HEADER.search(cell) and len(cell.split()) <= 6:
            return i
    return None


def site_results(text: str) -> list[SiteResult]:
    """Every per-site result in `text`'s tab-separated tables, in order, each site once per measure."""
    results: list[SiteResult] = []
    seen: set[tuple[str, str]] = set()
    lines, position = [], 0
    for line in text.split("\n"):
        lines.append((line, position))
        position += len(line) + 1
    i = 0
    while i < len(lines):
        header = _cells(lines[i][0])
        column = _outcome_column(header)
        if column is None:
            i += 1
            continue
        measure = header[column].rstrip("*† ").strip()
        unit = _ID_WORDS.sub(" ", header[0]).strip()
        acronym = next(iter(re.findall(r"\b[A-Z]{2,6}\b", measure)), None)
        i += 1
        while i < len(lines):
            line, start = lines[i]
            cells = _cells(line)
            if not line.strip() or cells == header:
                i += 1
                continue
            value = VALUES.get(cells[column].lower().rstrip("*† ")) if len(cells) > column else None
            if value is None or not cells[0]:
                break
            site = f"{unit} {cells[0]}".strip() if unit else cells[0]
            if (site, measure) not in seen:
                seen.add((site, measure))
                results.append(SiteResult(site, value, measure, acronym, start, start + len(line)))
            i += 1
    return results
