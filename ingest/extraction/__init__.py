"""Extraction without an LLM: sentences -> suggested barriers, enablers, approaches, outcomes, lessons."""

from spreadgraph.schema.extraction_models import Code, Extraction, Finding, LinkFinding, Sentence

from .anchors import VectorCache
from .extractor import CueEmbeddingExtractor, Extractor, sentence_vectors

__all__ = [
    "Code",
    "CueEmbeddingExtractor",
    "Extraction",
    "Extractor",
    "Finding",
    "LinkFinding",
    "Sentence",
    "VectorCache",
    "sentence_vectors",
]
