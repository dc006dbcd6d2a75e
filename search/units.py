"""Search units: every excerpt split into sentences, each carrying the window of sentences around it.

Why (docs/search-notes.md, measured on the corpus): one vector per paragraph blurs the match
and MiniLM truncates long paragraphs, while single sentences are too short for BM25. So each
`Sentence` node stores

* `text` – one sentence, embedded on its own (vector index `sentence_embedding`);
* `window` – the sentence with its neighbours (one before, one after) inside the same text
  block, indexed for full text (`sentence_fulltext`, English analyzer) and shown as evidence;
* `start`/`end` and `window_start`/`window_end` – character spans in `Source.text` (for template
  quotes, which have no span in their source, offsets into the excerpt's own text).

A window's vector score is the best cosine of the sentences in it (max, never the mean); the
retriever gets it by spreading each hit sentence's score to its `NEXT` neighbours.

Blocks: an excerpt is one block, except that an excerpt ending without terminal punctuation
followed (in the same source) by one starting in lower case is joined with it (a sentence cut
by a page break); the joined sentence keeps the span from its first to its last character.
Sentences shorter than 4 words are attached to the previous sentence. Excerpts in reference,
contents and acknowledgement sections get no units.

Document ingest plans a document's units before writing (`plan_units` over its excerpts),
encodes their texts with the rest of the document and writes them, with their embeddings, in
the document's own transaction (`write_units`). For templates (and anything else without
units) ingest calls :func:`index_sentences` after writing and before `embed_missing` (which
then encodes the new sentences, through the ingester's cache).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import Driver
from spreadgraph.graph.connection import read_tx, write_tx
from spreadgraph.search.indexing import embed_missing
from spreadgraph.search.sentences import SKIP_SECTIONS, split_spans

MIN_WORDS = 4
_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")
_LOWER_START = re.compile(r"^\s*[a-z]")

_PENDING_SOURCES = """
MATCH (e:Excerpt)-[:FROM]->(s:Source)
WHERE NOT EXISTS { (:Sentence)-[:IN_EXCERPT]->(e) } AND NOT s.id IN $done
RETURN DISTINCT s.id AS id
LIMIT $limit
"""
_SOURCE_EXCERPTS = """
MATCH (e:Excerpt)-[:FROM]->(:Source {id: $source})
RETURN e.id AS id, e.text AS text, e.start AS start, e.end AS end, e.section AS section
ORDER BY coalesce(e.start, -1), e.id
"""
_CLEAR = """
MATCH (u:Sentence)-[:IN_EXCERPT]->(:Excerpt)-[:FROM]->(:Source {id: $source})
WHERE NOT u.id IN $keep
DETACH DELETE u
"""
_UNLINK = """
MATCH (:Source {id: $source})<-[:FROM]-(:Excerpt)<-[:IN_EXCERPT]-(:Sentence)-[r:NEXT]->()
DELETE r
"""
# An unchanged unit keeps its embedding; a unit whose sentence changed loses it (re-embedded later).
_WRITE = """
UNWIND $rows AS row
MATCH (e:Excerpt {id: row.excerpt})
MERGE (u:Sentence {id: row.id})
SET u.embedding = CASE WHEN u.text = row.props.text THEN u.embedding ELSE null END
SET u += row.props
MERGE (u)-[:IN_EXCERPT]->(e)
"""
_LINK = """
UNWIND $pairs AS pair
MATCH (a:Sentence {id: pair[0]}), (b:Sentence {id: pair[1]})
MERGE (a)-[:NEXT]->(b)
"""


@dataclass(frozen=True)
class ExcerptText:
    id: str
    text: str
    start: int | None
    end: int | None
    section: str | None = None


@dataclass
class Unit:
    id: str
    excerpt: str
    text: str
    start: int
    end: int
    position: int
    window: str = ""
    window_start: int = 0
    window_end: int = 0

    def props(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "position": self.position,
            "window": self.window,
            "window_start": self.window_start,
            "window_end": self.window_end,
        }


def _sentences(ex: ExcerptText) -> list[tuple[str, int, int]]:
    """(text, start, end) of each sentence; short ones joined to the previous one."""
    offset = ex.start if ex.start is not None else 0
    out: list[tuple[str, int, int]] = []
    for start, end in split_spans(ex.text, 0):
        text = ex.text[start:end]
        if not re.search(r"[A-Za-z]", text):
            continue
        if out and len(text.split()) < MIN_WORDS:
            _, prev_start, _ = out[-1]
            out[-1] = (ex.text[prev_start - offset : end], prev_start, end + offset)
            continue
        out.append((text, start + offset, end + offset))
    return out


def blocks(excerpts: Sequence[ExcerptText]) -> list[list[ExcerptText]]:
    """Excerpts grouped into text blocks: page-break halves joined, everything else alone."""
    grouped: list[list[ExcerptText]] = []
    for ex in excerpts:
        if ex.section and SKIP_SECTIONS.search(ex.section):
            continue
        if not ex.text or not ex.text.strip():
            continue
        prev = grouped[-1][-1] if grouped else None
        joined = (
            prev is not None
            and prev.start is not None
            and ex.start is not None
            and not _TERMINAL.search(prev.text)
            and _LOWER_START.match(ex.text) is not None
        )
        if joined:
            grouped[-1].append(ex)
        else:
            grouped.append([ex])
    return grouped


def plan_units(excerpts: Sequence[ExcerptText], width: int = 1) -> tuple[list[Unit], list[tuple[str, str]]]:
    """Units of one source's excerpts (in text order) and the (unit, next unit) pairs in each block."""
    units: list[Unit] = []
    pairs: list[tuple[str, str]] = []
    for block in blocks(excerpts):
        parts: list[Unit] = []
        for ex in block:
            found = _sentences(ex)
            if parts and found and ex is not block[0]:
                # A page break cut the last sentence: join it with this excerpt's first one.
                text, _, end = found.pop(0)
                last = parts[-1]
                last.text, last.end = f"{last.text} {text}", end
            for text, start, end in found:
                n = len(parts)
                parts.append(Unit(f"{ex.id}#s{n}", ex.id, text, start, end, n))
        for i, unit in enumerate(parts):
            window = parts[max(0, i - width) : i + width + 1]
            unit.window = " ".join(u.text for u in window)
            unit.window_start, unit.window_end = window[0].start, window[-1].end
            if i + 1 < len(parts):
                pairs.append((unit.id, parts[i + 1].id))
        units.extend(parts)
    return units, pairs


def _rebuild(tx: Any, source: str) -> int:
    rows = [ExcerptText(**r) for r in tx.run(_SOURCE_EXCERPTS, source=source).data()]
    return write_units(tx, source, rows)


def write_units(
    tx: Any,
    source: str,
    excerpts: Sequence[ExcerptText],
    vectors: Mapping[str, Sequence[float]] | None = None,
) -> int:
    """(Re)write the units of one source's `excerpts` (text order) in the caller's transaction.

    With `vectors` (unit text -> unit vector), each unit is written with its embedding, so
    nothing is left for `embed_missing`. Returns the number of units.
    """
    units, pairs = plan_units(excerpts)
    tx.run(_CLEAR, source=source, keep=[u.id for u in units])
    tx.run(_UNLINK, source=source)
    payload = []
    for u in units:
        props = u.props()
        if vectors is not None and u.text in vectors:
            props["embedding"] = [float(x) for x in vectors[u.text]]
        payload.append({"id": u.id, "excerpt": u.excerpt, "props": props})
    for i in range(0, len(payload), 500):
        tx.run(_WRITE, rows=payload[i : i + 500])
    for i in range(0, len(pairs), 1000):
        tx.run(_LINK, pairs=[list(p) for p in pairs[i : i + 1000]])
    return len(units)


def index_sentences(
    driver: Driver | None = None, encoder: object | None = None, *, sources: Iterable[str] | None = None
) -> dict[str, int]:
    """Write search units for every source with an excerpt that has none (or for `sources`).

    One transaction per source (units no longer produced are deleted; unchanged ones keep
    their embeddings, so re-running is cheap). With an `encoder` (Embedder or
    VectorCache), the new units are embedded right away; otherwise `embed_missing` does it.
    Returns {source id: units written}.
    """
    done: dict[str, int] = {}
    todo = list(sources) if sources is not None else None
    while True:
        batch = (
            todo
            if todo is not None
            else [
                r["id"]
                for r in read_tx(
                    lambda tx: tx.run(_PENDING_SOURCES, limit=50, done=list(done)).data(), driver=driver
                )
            ]
        )
        batch = [s for s in batch if s not in done]
        if not batch:
            break
        for source in batch:
            done[source] = write_tx(lambda tx, source=source: _rebuild(tx, source), driver=driver)
        if todo is not None:
            break
    if encoder is not None and done:
        embed_missing(driver, encoder, ["Sentence"])
    return done


def refresh(driver: Driver | None, encoder: object) -> dict[str, int]:
    """After an ingest: search units for new excerpts, then vectors for every node lacking one."""
    index_sentences(driver, encoder)
    return embed_missing(driver, encoder)
