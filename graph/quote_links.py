"""A coded export's quotes point at the words they quote in the report the graph holds.

Each row of a coded-excerpt export names the document it was coded from (kept on the Excerpt as
`section`) and quotes it word for word. When that document is in the graph (its current
version, by file name), the quote's Excerpt gets ``(e)-[:QUOTES {start, end}]->(s:Source)``:
the quote's span in the document's `Source.text`, found by its words in order (any whitespace
between them). Search shows such a quote as the document's passage, with the export beside it
(search/quotes.py). Links are made in the writing transaction of either file, so the order of
ingest does not matter; a new version of the document moves them to it, and a quote no longer
found loses its link. A quote the document does not hold (edited, or from another version)
gets no link: no guessed span.

`SECTION_LABEL` is what a reader is shown for an excerpt's `section`: for a coded quote, the
title of the document its file name names (linked or not), else the file name, which stays
stored as provenance.
"""

from __future__ import annotations

import re
from typing import Any

from neo4j import ManagedTransaction

#: The coded quotes to (re)link: those of one export, or those naming one document file.
_QUOTES = """
MATCH (e:Excerpt)-[:FROM]->(:Source {kind: 'coded_export'})
WHERE e.section IS NOT NULL AND ($export IS NULL OR (e)-[:FROM]->(:Source {id: $export}))
  AND ($file IS NULL OR e.section = $file)
MATCH (s:Source {kind: 'document', file_name: e.section})
WHERE NOT EXISTS { (:Source)-[:PREVIOUS_VERSION]->(s) }
RETURN e.id AS excerpt, e.text AS quote, s.id AS source
"""
#: A Cypher expression over excerpt `e` and its source `s`: `e.section` as shown to readers (a
#: coded quote's file name becomes the title of the current document of that name, when held).
SECTION_LABEL = """CASE WHEN s.kind = 'coded_export' THEN coalesce(COLLECT {
    MATCH (d:Source {kind: 'document', file_name: e.section})
    WHERE NOT EXISTS { (:Source)-[:PREVIOUS_VERSION]->(d) } RETURN d.title
  }[0], e.section)
ELSE e.section END"""
_TEXT = "UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN s.id AS id, s.text AS text"
_LINK = """
UNWIND $rows AS row
MATCH (e:Excerpt {id: row.excerpt})
OPTIONAL MATCH (e)-[old:QUOTES]->()
DELETE old
WITH DISTINCT e, row
MATCH (s:Source {id: row.source})
FOREACH (_ IN CASE WHEN row.start IS NULL THEN [] ELSE [1] END |
  CREATE (e)-[:QUOTES {start: row.start, end: row.end}]->(s))
"""


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """The first span of `text` holding `quote`'s words in order, any whitespace between them."""
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (found.start(), found.end()) if found else None


def link_quotes(tx: ManagedTransaction, *, export: str | None = None, file_name: str | None = None) -> int:
    """Link the coded quotes of `export` (a coded-export Source id), or those naming the document
    `file_name`, to their span in that document; returns how many are linked."""
    found = [r.data() for r in tx.run(_QUOTES, export=export, file=file_name)]
    if not found:
        return 0
    texts = {r["id"]: r["text"] or "" for r in tx.run(_TEXT, ids=sorted({f["source"] for f in found}))}
    rows: list[dict[str, Any]] = []
    for f in found:
        span = quote_span(texts.get(f["source"], ""), f["quote"] or "")
        rows.append({**f, "start": span[0] if span else None, "end": span[1] if span else None})
    tx.run(_LINK, rows=rows)
    return sum(1 for r in rows if r["start"] is not None)
