"""Query expansion through the concept vocabulary (schema/concepts.yaml).

Staff ask in their own words ("what happens to the know-how when key people leave?") while
reports use the field's ("staff turnover"). The query's vector is compared with each concept's
name and definition; the concepts close enough (cosine at least :data:`MIN_COSINE`, at most
:data:`MAX_CONCEPTS`) give a second full-text query of their names and variants as phrases, which
the search ranks as one more list (`excerpt:concepts`). The vocabulary is written from the field's
frameworks, never from the evaluation questions.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
from spreadgraph.schema.concepts import Concept, load_concepts
from spreadgraph.search.query import escape_lucene

MIN_COSINE = 0.5
MAX_CONCEPTS = 2
_CACHE: weakref.WeakKeyDictionary[Any, np.ndarray] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def concept_vectors(embedder: Any) -> np.ndarray:
    """Unit vectors of every concept's "name: definition", encoded once per embedder."""
    with _LOCK:
        if embedder not in _CACHE:
            texts = [f"{c.name}: {c.definition}" for c in load_concepts()]
            vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
            _CACHE[embedder] = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        return _CACHE[embedder]


def closest_concepts(embedder: Any, vector: list[float]) -> list[Concept]:
    """The concepts the query is about, best first."""
    query = np.asarray(vector, dtype=np.float32)
    query = query / max(float(np.linalg.norm(query)), 1e-9)
    cosines = concept_vectors(embedder) @ query
    order = np.argsort(-cosines)[:MAX_CONCEPTS]
    concepts = load_concepts()
    return [concepts[i] for i in order if cosines[i] >= MIN_COSINE]


def concept_lucene(concepts: list[Concept]) -> str:
    """A Lucene query of the concepts' names and variants, each as a phrase."""
    phrases = dict.fromkeys(p.strip() for c in concepts for p in (c.name, *c.variants) if p.strip())
    return " OR ".join(f'"{escape_lucene(p)}"' for p in phrases)
