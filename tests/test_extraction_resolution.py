"""Resolution of findings to vocabulary concepts: lexical matching (longest match, negation and
mirrors) and the embedding fallback, without Neo4j or a model."""

from __future__ import annotations

import numpy as np
import pytest
from spreadgraph.ingest.extraction.resolution import ConceptResolver, PhraseIndex
from spreadgraph.schema.concepts import Concept, load_concepts


def concept(
    id_: str, kind: str, name: str, variants: tuple[str, ...] = (), opposite: str | None = None
) -> Concept:
    return Concept(id=id_, kind=kind, name=name, definition=f"{name}.", variants=variants, opposite=opposite)


TOY = [
    concept("protected-time", "enabler", "protected time", ("dedicated time",), "lack-of-protected-time"),
    concept(
        "lack-of-protected-time",
        "barrier",
        "lack of protected time",
        ("no protected time",),
        "protected-time",
    ),
    concept("leadership-support", "enabler", "leadership support", ("backing from managers",)),
    concept("staff-turnover", "barrier", "staff turnover", ("staff churn", "high staff turnover")),
    concept("training", "approach", "training sessions", ("training workshops",)),
]
INDEX = PhraseIndex(TOY)


def ids(text: str) -> list[str]:
    return [m.concept.id for m in INDEX.matches(text)]


def test_longest_match_wins_over_a_phrase_inside_it() -> None:
    assert ids("The lack of protected time was felt on every ward.") == ["lack-of-protected-time"]
    assert ids("High staff turnover made it hard.") == ["staff-turnover"]
    assert [m.phrase for m in INDEX.matches("High staff turnover made it hard.")] == ["high staff turnover"]


def test_plain_enabler_phrase_matches_the_enabler() -> None:
    assert ids("Nurses were given protected time for the audits.") == ["protected-time"]


@pytest.mark.parametrize(
    "text",
    [
        "There was no dedicated time for the checks.",
        "Staff worked without protected time for the project.",
        "There was not enough dedicated time in the rota.",
    ],
)
def test_a_negated_enabler_reads_as_its_mirror_barrier(text: str) -> None:
    [match] = INDEX.matches(text)
    assert match.concept.id == "lack-of-protected-time" and match.negated


def test_a_negated_phrase_without_a_mirror_is_dropped() -> None:
    assert ids("There was no backing from managers at first.") == []


def test_a_barrier_phrase_that_carries_its_own_negation_is_not_flipped() -> None:
    assert ids("There was a lack of protected time.") == ["lack-of-protected-time"]


def test_several_matches_come_in_text_order() -> None:
    assert ids("Training workshops ran despite staff churn.") == ["training", "staff-turnover"]


def scores_for(resolver: ConceptResolver, best: dict[str, float]) -> np.ndarray:
    row = np.array([[best.get(c.id, 0.1) for c in resolver.concepts]], dtype=np.float32)
    return row


def test_resolver_prefers_a_lexical_match_of_the_kind() -> None:
    resolver = ConceptResolver(TOY, threshold=0.6)
    scores = scores_for(resolver, {"leadership-support": 0.9})
    found = resolver.resolve("enabler", ["Dedicated time made the audits possible."], scores)
    assert found.concept is not None and found.concept.id == "protected-time" and found.method == "lexical"


def test_resolver_falls_back_to_the_embedding_above_the_threshold_only() -> None:
    resolver = ConceptResolver(TOY, threshold=0.6)
    text = ["The chief nurse kept pushing the project at board level."]
    found = resolver.resolve("enabler", text, scores_for(resolver, {"leadership-support": 0.7}))
    assert (
        found.concept is not None and found.concept.id == "leadership-support" and found.method == "embedding"
    )
    missed = resolver.resolve("enabler", text, scores_for(resolver, {"leadership-support": 0.5}))
    assert missed.concept is None and missed.method == "none" and missed.best is not None


def test_resolver_ignores_concepts_of_another_kind() -> None:
    resolver = ConceptResolver(TOY, threshold=0.6)
    found = resolver.resolve("approach", ["Staff churn was high."], scores_for(resolver, {}))
    assert found.concept is None


def test_resolve_all_names_a_second_point_of_the_window() -> None:
    resolver = ConceptResolver(TOY, threshold=0.6)
    texts = ["Staff churn was high.", "And there was no protected time either."]
    found = resolver.resolve_all("barrier", texts, scores_for(resolver, {}), seed=0, limit=2)
    assert [r.concept.id for r in found if r.concept] == ["staff-turnover", "lack-of-protected-time"]


def test_the_real_vocabulary_handles_mirror_pairs() -> None:
    index = PhraseIndex(load_concepts())
    [match] = index.matches("Nurses had protected time for the checks.")
    assert match.concept.id == "protected-time"
    [match] = index.matches("There was no protected time for the checks.")
    assert match.concept.id == "lack-of-protected-time"
