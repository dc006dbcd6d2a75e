"""The extractor interface and the default, LLM-free implementation.

`Extractor.run(doc, vectors)` turns a `ParsedDocument` into an `Extraction` of suggested
findings and links. `CueEmbeddingExtractor` splits excerpts into sentences, encodes each
sentence once through the shared `VectorCache` (the writer reads the same vectors back, so no
text is encoded twice), scores every sentence per kind (`scoring.py`), grows the best into short
evidence windows within a per-kind quota under the density cap (`selection.py`), names and
codes each finding from its best sentence, and detects stated
approach -> barrier links. A trained classifier or an LLM can replace it behind the protocol.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from spreadgraph.schema.document_models import ParsedDocument
from spreadgraph.schema.extraction_models import Code, Extraction, Finding, LinkFinding, Sentence
from spreadgraph.search.embedder import Embedder, configured_embedder
from spreadgraph.search.sentences import document_sentences

from .anchors import Anchor, VectorCache, all_anchors
from .links import detect_link
from .naming import derive_name
from .scoring import Scored, Weights, confidence, score_sentences, select


@runtime_checkable
class Extractor(Protocol):
    """Anything that suggests findings for a parsed document."""

    name: str
    version: str

    def run(self, doc: ParsedDocument, vectors: VectorCache | None = None) -> Extraction: ...


class CueEmbeddingExtractor:
    """Cue phrases + embedding similarity to kind prototypes and CFIR/ERIC taxonomy anchors."""

    name = "cue-embedding"
    version = "0.2.0"

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
        if vector_store is True:
            from spreadgraph.config import get_settings

            vector_store = get_settings().cache_dir / "vectors"
        self.vector_store: Path | None = vector_store or None

    def _cache(self, vectors: VectorCache | None) -> VectorCache:
        if vectors is not None:
            return vectors
        return VectorCache(self.embedder or configured_embedder())

    def anchors(self) -> list[Anchor]:
        if self._anchors is None:
            self._anchors = all_anchors()
        return self._anchors

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
        findings = [self._finding(doc, item, kind, window) for item, kind, window in chosen]
        return Extraction(
            file_name=doc.file_name,
            content_hash=doc.content_hash,
            words=words,
            findings=findings,
            links=self._links(sentences, findings),
            sentences=sentences,
            extractor=self.name,
            extractor_version=self.version,
        )

    def _finding(self, doc: ParsedDocument, item: Scored, kind: str, window: list[Scored]) -> Finding:
        """A finding evidenced by `window` (contiguous sentences of one excerpt), named and coded
        from its seed sentence `item`."""
        s = item.sentence
        start, end = window[0].sentence.start, window[-1].sentence.end
        scheme = "eric" if kind == "approach" else "cfir2" if kind in ("barrier", "enabler") else None
        codes = [
            Code(scheme=scheme, id=a.code or "", name=a.name or "", similarity=round(sim, 3))
            for a, sim in item.codes.get(scheme or "", [])
        ]
        label, label_sim = (codes[0].name, codes[0].similarity) if codes else (None, 0.0)
        return Finding(
            kind=kind,
            name=derive_name(kind, s.text, label, label_sim),
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

    def _links(self, sentences: list[Sentence], findings: list[Finding]) -> list[LinkFinding]:
        approach_names = {f.sentence_index: f.name for f in findings if f.kind == "approach"}
        links: list[LinkFinding] = []
        for s in sentences:
            found = detect_link(s.text)
            if not found:
                continue
            relation, approach, barrier, cue = found
            links.append(
                LinkFinding(
                    relation=relation,
                    approach=approach
                    if len(approach.split()) <= 8
                    else approach_names.get(s.index, approach),
                    barrier=barrier,
                    text=s.text,
                    start=s.start,
                    end=s.end,
                    sentence_index=s.index,
                    excerpt_index=s.excerpt_index,
                    case_key=s.case_key,
                    confidence=0.6 if s.index in approach_names else 0.4,
                    cue=cue,
                    extractor=self.name,
                    extractor_version=self.version,
                )
            )
        return links


def sentence_vectors(extraction: Extraction, vectors: VectorCache) -> np.ndarray:
    """The (already encoded) vectors of an extraction's sentences, for the writer to store."""
    return vectors.vectors([s.text for s in extraction.sentences])
