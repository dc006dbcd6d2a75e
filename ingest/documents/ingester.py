"""Document ingest end to end: parse -> encode -> extract -> write, one transaction per document.

`DocumentIngester` holds the heavy parts (embedding model, extractor, a `VectorCache` shared by
every document it ingests, so no text is ever encoded twice in a run: the extractor's anchors
once (from the on-disk vector store when it has them), each excerpt, search unit and sentence
once, and a text that is all three not again). Per document:

1. parse the file (`DocumentPipeline`); a file that cannot be read raises before any write;
2. if its content is already in the graph, write nothing (no extraction either), but note whether
   its nodes still lack embeddings (an earlier ingest of it was killed before step 6);
3. plan its search units (`search.units.plan_units`) and encode the excerpt and unit texts in
   large length-sorted batches through the cache;
4. extract suggested findings and links (its sentences are mostly cache hits by now);
5. write Source, Excerpts, Cases, Claims and search units, all with their embeddings, in one
   transaction;
6. `finish()`, when something was written: embed Case/Barrier/Enabler/Approach/Innovation
   nodes (and any excerpt or unit) still without an embedding (`search/units.refresh`).
   An unchanged document changes nothing, not even embeddings, unless its own cases, excerpts or
   claimed items still lack one (step 6 was interrupted: kill -9, power cut): then step 6 runs,
   so ingesting it again completes it (tests/test_ingest_kill.py). Other nodes left unembedded
   are filled by the next ingest that writes, or by `embed_missing` alone.

`ingest_many` overlaps step 5 of one document with steps 1-4 of the next (one writer thread),
so graph writes hide behind encoding. `timings` accumulates seconds per phase (read, clean,
structure, graph_check, encode, encode_texts, extraction, graph_write, writer_wait, finish;
'encode' is the model alone, the others exclude it) for `bench/ingest_speed.py`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.connection import read_tx, write_tx
from spreadgraph.graph.documents import (
    DocumentWrite,
    save_document,
    source_exists,
    source_id_for,
    source_unfinished,
    write_document,
)
from spreadgraph.ingest.documents.parsing import DocumentPipeline, parse_document
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, Extractor, VectorCache
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import Extraction
from spreadgraph.schema.model import embedded_labels
from spreadgraph.search.embedder import Embedder, configured_embedder, naming_embedder
from spreadgraph.search.units import ExcerptText, plan_units, refresh, write_units

ENCODE_BATCH = 256


class IngestProgress:
    """Receives progress: `found` grows a total, `advance` moves it on ('documents', 'sections',
    'excerpts'). This base class ignores both; the CLI draws rich progress bars."""

    def found(self, what: str, n: int) -> None:
        pass

    def advance(self, what: str, n: int) -> None:
        pass


@dataclass
class Prepared:
    """A parsed document with its extraction, search units and vectors, ready for the writer.

    `vectors` maps every excerpt and unit text to its unit vector. `unfinished`: the document is
    already in the graph, but an earlier ingest of it stopped before step 6.
    """

    doc: ParsedDocument
    extraction: Extraction | None
    vectors: dict[str, list[float]]
    units: list[ExcerptText] = field(default_factory=list)
    unfinished: bool = False


def unit_excerpts(doc: ParsedDocument) -> list[ExcerptText]:
    """The document's distinct excerpt spans as search-unit input, in the graph's order."""
    source = source_id_for(doc)
    spans: dict[str, ExcerptText] = {}
    for e in doc.excerpts:
        eid = f"{source}:{e.start}-{e.end}"
        spans.setdefault(eid, ExcerptText(eid, e.text, e.start, e.end, e.section))
    return sorted(spans.values(), key=lambda x: (x.start if x.start is not None else -1, x.id))


class DocumentIngester:
    """Parse, extract, embed and write documents; see the module docstring for the steps."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        cache: VectorCache | None = None,
    ) -> None:
        self.embedder = embedder or (cache.embedder if cache else configured_embedder())
        self.cache = cache or VectorCache(self.embedder)
        # extraction's thresholds belong to the base model; search vectors use the search model
        # (the same one unless `spreadgraph adapt` has fitted one to the documents)
        naming = self.embedder if embedder is not None or cache is not None else naming_embedder()
        self.naming_cache = self.cache if naming is self.embedder else VectorCache(naming)
        self.extractor = extractor or CueEmbeddingExtractor(naming)
        self.timings: dict[str, float] = {}
        self.pipeline = DocumentPipeline(self.timings)

    def _time(self, phase: str, began: float) -> float:
        """Add the seconds since `began` to `phase` (thread-safe enough: one writer per phase)."""
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - began
        return now

    def prepare(
        self, path: Path, *, driver: Driver | None = None, progress: IngestProgress | None = None
    ) -> Prepared:
        """Steps 1-4; a document already in the graph comes back without extraction or vectors."""
        progress = progress or IngestProgress()
        doc = self.pipeline.run(Path(path))
        progress.found("sections", len(doc.sections))
        progress.advance("sections", len(doc.sections))
        progress.found("excerpts", len(doc.excerpts))
        began = time.perf_counter()
        if read_tx(lambda tx: source_exists(tx, doc), driver=driver):
            unfinished = read_tx(lambda tx: source_unfinished(tx, doc, embedded_labels()), driver=driver)
            self._time("graph_check", began)
            return Prepared(doc, None, {}, unfinished=unfinished)
        began = self._time("graph_check", began)
        units = unit_excerpts(doc)
        unit_texts = [u.text for u in plan_units(units)[0]]
        began = self._time("structure", began)
        encoding = self._encode_seconds()
        vectors = self.encode_texts(doc, unit_texts, progress)
        began = self._timed_encode("encode_texts", began, encoding)
        encoding = self._encode_seconds()
        extraction = self.extractor.run(doc, self.naming_cache)
        self._timed_encode("extraction", began, encoding)
        return Prepared(doc, extraction, vectors, units)

    def _encode_seconds(self) -> float:
        """Seconds spent in the models' encode so far (search and, when it differs, naming model)."""
        naming = self.naming_cache.seconds if self.naming_cache is not self.cache else 0.0
        return self.cache.seconds + naming

    def _timed_encode(self, phase: str, began: float, encoding_before: float) -> float:
        """Book the seconds since `began` to `phase`, except the model's encode time (to 'encode')."""
        encoded = self._encode_seconds() - encoding_before
        self.timings["encode"] = self.timings.get("encode", 0.0) + encoded
        now = self._time(phase, began)
        self.timings[phase] -= encoded
        return now

    def encode_texts(
        self, doc: ParsedDocument, unit_texts: list[str], progress: IngestProgress
    ) -> dict[str, list[float]]:
        """Excerpt and search-unit text -> unit vector, each distinct text encoded once through the
        shared cache (the extractor's sentences are mostly the same texts, so it finds them there).

        Texts go shortest first in large batches, so each batch pads to similar lengths.
        """
        excerpts = list(dict.fromkeys(e.text for e in doc.excerpts))
        texts = sorted(dict.fromkeys([*excerpts, *unit_texts]), key=len)
        done = 0
        for i in range(0, len(texts), ENCODE_BATCH):
            chunk = texts[i : i + ENCODE_BATCH]
            self.cache.vectors(chunk)
            share = round(len(doc.excerpts) * (i + len(chunk)) / len(texts)) - done
            progress.advance("excerpts", share)
            done += share
        return {t: self.cache.get(t).tolist() for t in texts}

    def write(self, prepared: Prepared, *, driver: Driver | None = None) -> DocumentWrite:
        """Step 5: one transaction (an unchanged document writes nothing)."""
        began = time.perf_counter()

        def work(tx: ManagedTransaction) -> DocumentWrite:
            result = write_document(tx, prepared.doc, prepared.extraction, prepared.vectors or None)
            if result.action != "unchanged" and prepared.units:
                write_units(tx, result.source_id, prepared.units, prepared.vectors)
            return result

        try:
            return write_tx(work, driver=driver)
        finally:
            self._time("graph_write", began)

    def finish(self, *, driver: Driver | None = None) -> dict[str, int]:
        """Step 6: search units for new excerpts, then embed every node still without a vector."""
        began, encoding = time.perf_counter(), self.cache.seconds
        try:
            return refresh(driver, self.cache)
        finally:
            self.timings["encode"] = self.timings.get("encode", 0.0) + self.cache.seconds - encoding
            self._time("finish", began)
            self.timings["finish"] -= self.cache.seconds - encoding

    def ingest(
        self, path: Path, *, driver: Driver | None = None, progress: IngestProgress | None = None
    ) -> DocumentWrite:
        """Ingest one document completely (steps 1-6)."""
        prepared = self.prepare(path, driver=driver, progress=progress)
        result = self.write(prepared, driver=driver)
        if result.action != "unchanged" or prepared.unfinished:
            self.finish(driver=driver)
        if progress:
            progress.advance("documents", 1)
        return result

    def ingest_many(
        self,
        paths: Iterable[Path],
        *,
        driver: Driver | None = None,
        progress: IngestProgress | None = None,
    ) -> Iterator[tuple[Path, DocumentWrite | Exception]]:
        """Ingest documents in order, writing one while preparing the next; yields (path, result or
        the error that stopped that file). A failed file writes nothing; the others go on."""
        progress = progress or IngestProgress()
        pending: tuple[Path, Future[DocumentWrite]] | None = None
        wrote = False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-writer") as writer:
            for path in paths:
                try:
                    prepared = self.prepare(path, driver=driver, progress=progress)
                except Exception as exc:
                    prepared = exc
                if pending:
                    done = self._collect(pending, progress)
                    wrote |= isinstance(done[1], DocumentWrite) and done[1].action != "unchanged"
                    yield done
                    pending = None
                if isinstance(prepared, Exception):
                    progress.advance("documents", 1)
                    yield path, prepared
                    continue
                wrote |= prepared.unfinished
                pending = (path, writer.submit(self.write, prepared, driver=driver))
            if pending:
                done = self._collect(pending, progress)
                wrote |= isinstance(done[1], DocumentWrite) and done[1].action != "unchanged"
                yield done
        if wrote:
            self.finish(driver=driver)

    def _collect(
        self, pending: tuple[Path, Future[DocumentWrite]], progress: IngestProgress
    ) -> tuple[Path, DocumentWrite | Exception]:
        path, future = pending
        progress.advance("documents", 1)
        began = time.perf_counter()
        try:
            return path, future.result()
        except Exception as exc:
            return path, exc
        finally:
            self._time("writer_wait", began)


@lru_cache(maxsize=1)
def default_ingester() -> DocumentIngester:
    """The process-wide ingester (the model loads on first encode, not here)."""
    return DocumentIngester()


def ingest_document(path: Path | str, *, driver: Driver | None = None, extract: bool = True) -> DocumentWrite:
    """Parse, extract, embed and write one file (the steps above).

    A file that cannot be read raises IngestError before any write. `extract=False` writes only
    the Source, Excerpts and Cases (no model needed).
    """
    if not extract:
        return save_document(parse_document(path), driver=driver)
    return default_ingester().ingest(Path(path), driver=driver)
