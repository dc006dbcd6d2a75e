"""Query expansion through the concept vocabulary (search/expansion.py), without Neo4j."""

from __future__ import annotations

import numpy as np
from spreadgraph.schema.concepts import load_concepts
from spreadgraph.search.expansion import MAX_CONCEPTS, closest_concepts, concept_lucene


class OneHot:
    """Each concept's "name: definition" text is its own axis; anything else is the zero vector."""

    def __init__(self) -> None:
        self.axis = {f"{c.name}: {c.definition}": i for i, c in enumerate(load_concepts())}

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.axis)), dtype=np.float32)
        for row, text in enumerate(texts):
            if text in self.axis:
                out[row, self.axis[text]] = 1.0
        return out


def test_the_closest_concepts_above_the_threshold_best_first() -> None:
    embedder, concepts = OneHot(), load_concepts()
    query = np.zeros(len(concepts))
    query[7], query[3] = 0.8, 0.6  # cosine 0.8 with concept 7, 0.6 with concept 3
    assert closest_concepts(embedder, list(query)) == [concepts[7], concepts[3]][:MAX_CONCEPTS]
    query[3] = 0.3  # now below the threshold after normalising
    query = query / np.linalg.norm(query)
    assert concepts[3] not in closest_concepts(embedder, list(query))
    assert closest_concepts(embedder, [0.0] * len(concepts)) == []


def test_the_expanded_query_is_escaped_phrases_of_names_and_variants() -> None:
    concept = next(c for c in load_concepts() if any("-" in v for v in c.variants))
    lucene = concept_lucene([concept])
    assert lucene.startswith(f'"{concept.name}"') and " OR " in lucene
    hyphenated = next(v for v in concept.variants if "-" in v)
    assert '"' + hyphenated.replace("-", "\\-") + '"' in lucene
    assert lucene.count('"') == 2 * (1 + len(set(concept.variants) - {concept.name}))
