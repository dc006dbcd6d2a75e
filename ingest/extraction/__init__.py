"""Extraction without an LLM: sentences -> suggested barriers, enablers, approaches, outcomes, lessons."""

from .anchors import VectorCache
from .extractor import CueEmbeddingExtractor, Extractor, sentence_vectors
from .models import Code, Extraction, Finding, LinkFinding, Sentence

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
