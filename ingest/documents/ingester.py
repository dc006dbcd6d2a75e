"""Document ingest end to end: parse -> extract -> embed -> write, one transaction per document.

`DocumentIngester` holds the heavy parts (embedding model, extractor, a `VectorCache` shared by
every document it ingests, so no text is ever encoded twice in a run: the extractor's anchors
once, each sentence once, and an excerpt that is also a sentence not again). Per document:

1. parse the file (`DocumentPipeline`); a file that cannot be read raises before any write;
2. if its content is already in the graph, write nothing (no extraction either);
3. extract suggested findings and links (sentences are encoded through the cache);
4. encode the excerpts' texts in batches through the same cache;
5. write Source, Excerpts (with embeddings), Cases and Claims in one transaction;
6. `finish()`, when something was written: embed Case/Barrier/Enabler/Approach/Innovation
   nodes (and any excerpt) still without an embedding (`search/indexing.embed_missing`).
   An unchanged document changes nothing, not even embeddings; nodes left unembedded by an
   interrupted step 6 are filled by the next ingest that writes, or by `embed_missing` alone.

`ingest_many` overlaps step 5 of one document with steps 1-4 of the next (one writer thread),
so graph writes hide behind encoding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.connection import read_tx
from spreadgraph.graph.documents import DocumentWrite, save_document, source_exists
from spreadgraph.ingest.documents.models import ParsedDocument
from spreadgraph.ingest.documents.pipeline import DocumentPipeline
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, Extractor, VectorCache
from spreadgraph.ingest.extraction.models import Extraction
from spreadgraph.search.embedder import Embedder
from spreadgraph.search.indexing import refresh

from spreadgraph.config import get_settings

ENCODE_BATCH = 64


class IngestProgress:
    """Receives progress: `found` grows a total, `advance` moves it on ('documents', 'sections',
    'excerpts'). This base class ignores both; the CLI draws rich progress bars."""

    def found(self, what: str, n: int) -> None:
        pass

    def advance(self, what: str, n: int) -> None:
        pass


@dataclass
class Prepared:
    """A parsed document with its extraction and excerpt vectors, ready for the writer."""

    doc: ParsedDocument
    extraction: Extraction | None
    vectors: dict[str, list[float]]


class DocumentIngester:
    """Parse, extract, embed and write documents; see the module docstring for the steps."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        cache: VectorCache | None = None,
    ) -> None:
        self.embedder = embedder or (cache.embedder if cache else Embedder(get_settings().embedding_model))
        self.cache = cache or VectorCache(self.embedder)
        self.extractor = extractor or CueEmbeddingExtractor(self.embedder)
        self.pipeline = DocumentPipeline()

    def prepare(
        self, path: Path, *, driver: Driver | None = None, progress: IngestProgress | None = None
    ) -> Prepared:
        """Steps 1-4; a document already in the graph comes back without extraction or vectors."""
        progress = progress or IngestProgress()
        doc = self.pipeline.run(Path(path))
        progress.found("sections", len(doc.sections))
        progress.advance("sections", len(doc.sections))
        progress.found("excerpts", len(doc.excerpts))
        if read_tx(lambda tx: source_exists(tx, doc), driver=driver):
            return Prepared(doc, None, {})
        extraction = self.extractor.run(doc, self.cache)
        return Prepared(doc, extraction, self.encode_excerpts(doc, progress))

    def encode_excerpts(self, doc: ParsedDocument, progress: IngestProgress) -> dict[str, list[float]]:
        """Excerpt text -> unit vector, encoded in batches through the shared cache.

        Texts go shortest first, so each batch pads to similar lengths (as one big encode would).
        """
        texts = sorted(dict.fromkeys(e.text for e in doc.excerpts), key=len)
        for i in range(0, len(texts), ENCODE_BATCH):
            chunk = texts[i : i + ENCODE_BATCH]
            self.cache.vectors(chunk)
            progress.advance("excerpts", len(chunk))
        progress.advance("excerpts", len(doc.excerpts) - len(texts))  # repeated texts
        return {t: [float(x) for x in self.cache.get(t)] for t in texts}

    def write(self, prepared: Prepared, *, driver: Driver | None = None) -> DocumentWrite:
        """Step 5: one transaction (an unchanged document writes nothing)."""
        return save_document(
            prepared.doc, driver=driver, extraction=prepared.extraction, vectors=prepared.vectors or None
        )

    def finish(self, *, driver: Driver | None = None) -> dict[str, int]:
        """Step 6: search units for new excerpts, then embed every node still without a vector."""
        return refresh(driver, self.cache)

    def ingest(
        self, path: Path, *, driver: Driver | None = None, progress: IngestProgress | None = None
    ) -> DocumentWrite:
        """Ingest one document completely (steps 1-6)."""
        result = self.write(self.prepare(path, driver=driver, progress=progress), driver=driver)
        if result.action != "unchanged":
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
                pending = (path, writer.submit(self.write, prepared, driver=driver))
            if pending:
                done = self._collect(pending, progress)
                wrote |= isinstance(done[1], DocumentWrite) and done[1].action != "unchanged"
                yield done
        if wrote:
            self.finish(driver=driver)

    @staticmethod
    def _collect(
        pending: tuple[Path, Future[DocumentWrite]], progress: IngestProgress
    ) -> tuple[Path, DocumentWrite | Exception]:
        path, future = pending
        progress.advance("documents", 1)
        try:
            return path, future.result()
        except Exception as exc:
            return path, exc


@lru_cache(maxsize=1)
def default_ingester() -> DocumentIngester:
    """The process-wide ingester (the model loads on first encode, not here)."""
    return DocumentIngester()
