"""The extractor interface and the default, LLM-free implementation.

`Extractor.run(doc, vectors)` turns a `ParsedDocument` into an `Extraction` of suggested
findings and links. `CueEmbeddingExtractor` splits excerpts into sentences, encodes each
sentence once through the shared `VectorCache` (the writer reads the same vectors back, so no
text is encoded twice), scores every sentence per kind (`scoring.py`), grows the best into short
evidence windows within a per-kind quota under the density cap (`selection.py`), resolves each
barrier, enabler and approach finding to a concept of the vocabulary (`resolution.py`; the
finding takes the concept's name and codes), and detects approach -> barrier links between
resolved findings (`links.py`). A finding that resolves to nothing has an empty name and its best
taxonomy code: the writer keeps it as coded evidence, not as an item. Outcomes and lessons are
named from their sentence (`naming.py`). A trained classifier or an LLM can replace it behind the
protocol (its findings may carry any name: the writer resolves names to concepts where it can).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import Code, Extraction, Finding
from spreadgraph.search.embedder import Embedder, naming_embedder
from spreadgraph.search.sentences import document_sentences

from .anchors import Anchor, VectorCache, all_anchors
from .links import detect_links
from .naming import derive_name
from .resolution import ConceptResolver, Resolution
from .scoring import Scored, Weights, confidence, score_sentences, select


@runtime_checkable
class Extractor(Protocol):
    """Anything that suggests findings for a parsed document."""

    name: str
    version: str

    def resolver(self) -> ConceptResolver:
        if self._resolver is None:
            self._resolver = ConceptResolver()
        return self._resolver

    def run(self, doc: ParsedDocument, vectors: VectorCache | None = None) -> Extraction: ...


class CueEmbeddingExtractor:
    """Cue phrases + embedding similarity to kind prototypes and CFIR/ERIC taxonomy anchors."""

    name = "cue-embedding"
    version = "0.3.0"

    def __init__(
        self,
        embedder: Embedder | None = None,
        weights: Weights | None = None,
        vector_store: Path | bool | None = True,
    ) -> None:
        """`vector_store`: folder for the anchors' vectors (True: the settings' cache folder;
        None or False: keep them in memory only)."""
        self.embedder = embedder
        self.weights = weights or Weights()
        self._anchors: list[Anchor] | None = None
        self._resolver: ConceptResolver | None = None
        if vector_store is True:
            from spreadgraph.config import get_settings

            vector_store = get_settings().cache_dir / "vectors"
        self.vector_store: Path | None = vector_store or None

    def _cache(self, vectors: VectorCache | None) -> VectorCache:
        if vectors is not None:
            return vectors
        return VectorCache(self.embedder or naming_embedder())

    def anchors(self) -> list[Anchor]:
        if self._anchors is None:
            self._anchors = all_anchors()
        return self._anchors

    def resolver(self) -> ConceptResolver:
        if self._resolver is None:
            self._resolver = ConceptResolver()
        return self._resolver

    def run(self, doc: ParsedDocument, vectors: VectorCache | None = None) -> Extraction:
        """Suggested findings and links for `doc`; sentence vectors are left in `vectors`."""
        cache = self._cache(vectors)
        sentences = document_sentences(doc)
        anchors = self.anchors()
        anchor_vectors = cache.stored([a.text for a in anchors], self.vector_store)
        sentence_vectors = cache.vectors([s.text for s in sentences])
        words = len(doc.text.split())
        scored = score_sentences(sentences, sentence_vectors, anchors, anchor_vectors, self.weights)
        chosen = select(scored, words, self.weights)
        resolver = self.resolver()
        concept_scores = resolver.concept_scores(sentence_vectors, cache, self.vector_store)
        row_of = {s.index: row for row, s in enumerate(sentences)}
        findings = []
        for item, kind, window in chosen:
            rows = [row_of[w.sentence.index] for w in window]
            resolutions = resolver.resolve_all(
                kind,
                [w.sentence.text for w in window],
                concept_scores[rows],
                seed=[w.sentence.index for w in window].index(item.sentence.index),
                threshold=self.weights.resolve,
                limit=self.weights.concepts_per_finding,
            )
            findings.extend(self._finding(doc, item, kind, window, r) for r in resolutions)
        return Extraction(
            file_name=doc.file_name,
            content_hash=doc.content_hash,
            words=words,
            findings=findings,
            links=detect_links(sentences, findings, resolver.index, self.name, self.version),
            sentences=sentences,
            extractor=self.name,
            extractor_version=self.version,
        )

    def _finding(
        self, doc: ParsedDocument, item: Scored, kind: str, window: list[Scored], resolution: Resolution
    ) -> Finding:
        """A finding evidenced by `window` (contiguous sentences of one excerpt): a resolved one is
        named and coded by its concept; an unresolved barrier/enabler/approach keeps no name and
        its seed sentence's best taxonomy code; outcomes and lessons are named from the seed."""
        s = item.sentence
        start, end = window[0].sentence.start, window[-1].sentence.end
        scheme = "eric" if kind == "approach" else "cfir2" if kind in ("barrier", "enabler") else None
        names = {a.code: a.name for a, _ in item.codes.get(scheme or "", [])}
        if resolution.concept is not None:
            name = resolution.concept.name
            codes = [
                Code(scheme=scheme, id=c, name=code_name(c, names), similarity=round(resolution.score, 3))
                for c in resolution.concept.codes
                if scheme and c.startswith(f"{scheme}:")
            ]
        elif scheme is not None:
            name = ""
            codes = [
                Code(scheme=scheme, id=a.code or "", name=a.name or "", similarity=round(sim, 3))
                for a, sim in item.codes.get(scheme, [])[:1]
            ]
        else:
            name, codes = derive_name(kind, s.text), []
        return Finding(
            kind=kind,
            name=name,
            text=doc.text[start:end],
            start=start,
            end=end,
            sentence_index=s.index,
            sentences=len(window),
            excerpt_index=s.excerpt_index,
            case_key=s.case_key,
            speaker_role=s.speaker_role,
            confidence=confidence(item, kind),
            codes=codes,
            cues=item.cues.phrases[kind][:5],
            extractor=self.name,
            extractor_version=self.version,
        )


def code_name(code: str, known: dict[str | None, str | None]) -> str:
    """A taxonomy code's name (from the anchors already at hand, else the taxonomy file)."""
    if known.get(code):
        return str(known[code])
    from spreadgraph.schema.taxonomy import load_taxonomies

    tax = load_taxonomies()
    for entry in (*tax.cfir2.constructs, *tax.cfir2.subconstructs, *tax.eric.strategies):
        if entry.id == code:
            return entry.name
    return code


def sentence_vectors(extraction: Extraction, vectors: VectorCache) -> np.ndarray:
    """The (already encoded) vectors of an extraction's sentences, for the writer to store."""
    return vectors.vectors([s.text for s in extraction.sentences])
