"""Texts the sentences are compared with: kind prototypes and taxonomy entries, and a vector cache.

Prototypes are short, generic descriptions of what each kind of finding sounds like. Taxonomy
anchors are CFIR 2.0 constructs/subconstructs (barriers, enablers) and ERIC strategies
(approaches), one anchor text per description and one per cue, so a sentence near any phrasing
of a construct scores high. `VectorCache` encodes each distinct text once and keeps its vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spreadgraph.schema.taxonomy import load_taxonomies
from spreadgraph.search.embedder import Embedder

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "barrier": (
        "A barrier that made it hard for staff to adopt the new way of working.",
        "Staff did not have enough time or capacity to use it alongside their workload.",
        "There was resistance and scepticism from some clinicians and managers.",
        "A lack of funding, resources or support held the project back.",
        "Organisational processes and IT systems got in the way and caused delays.",
        "Patients were reluctant or found it difficult to engage with the service.",
        "Frequent reorganisation and staff turnover disrupted implementation.",
    ),
    "enabler": (
        "An enabler that helped the innovation to be adopted and embedded.",
        "Strong leadership support and management buy-in were key to its success.",
        "Enthusiastic champions and committed staff kept momentum going.",
        "Existing relationships, trust and a shared vision made implementation easier.",
        "It fitted well with organisational priorities and the wider policy context.",
        "Dedicated funding and protected time made it possible for staff to take part.",
    ),
    "approach": (
        "The team introduced a new way of working and trained staff to deliver it.",
        "Staff attended training workshops and follow-up sessions to practise their skills.",
        "A group of champions was set up to support colleagues and share learning.",
        "The project recruited new roles and piloted the service in one site first.",
        "They used regular meetings, newsletters and events to communicate with staff.",
        "The model was co-designed with patients and service users.",
        "Data were collected and fed back to teams to monitor progress.",
    ),
    "outcome": (
        "As a result, the number of hospital admissions fell.",
        "Patients reported improved experience, confidence and satisfaction.",
        "Staff now use the approach routinely in their practice.",
        "The service was sustained and funded beyond the pilot period.",
        "The project led to measurable improvements and cost savings.",
        "Scores increased from the baseline after the intervention.",
    ),
    "lesson": (
        "A lesson learned is that preparation should happen before training starts.",
        "Others embarking on similar work should involve managers early.",
        "With hindsight, it would have been better to plan the rollout differently.",
        "The key learning is that change takes longer than expected.",
        "We recommend that teams secure commitment from leaders at the outset.",
        "It is important to build relationships before trying to change practice.",
    ),
}


@dataclass(frozen=True)
class Anchor:
    """A text a sentence is compared with; `code` is the taxonomy id, `kind` the finding kind."""

    text: str
    kind: str
    scheme: str | None = None
    code: str | None = None
    name: str | None = None


def prototype_anchors() -> list[Anchor]:
    return [Anchor(text, kind) for kind, texts in PROTOTYPES.items() for text in texts]


def taxonomy_anchors() -> list[Anchor]:
    """Anchors per kind from the taxonomies.

    CFIR 2.0 construct/subconstruct cues count for *barrier* when their wording is negative
    (by the cue phrases) and for *enabler* otherwise; descriptions count for both. ERIC strategy
    names+descriptions and cues count for *approach*.
    """
    from .cues import cue_scores

    tax = load_taxonomies()
    anchors: list[Anchor] = []
    for item in (*tax.cfir2.constructs, *tax.cfir2.subconstructs):
        description = f"{item.name}: {item.description}"
        for kind in ("barrier", "enabler"):
            anchors.append(Anchor(description, kind, "cfir2", item.id, item.name))
        for cue in item.cues:
            hits = cue_scores(cue)
            kind = "barrier" if hits.scores["barrier"] > hits.scores["enabler"] else "enabler"
            anchors.append(Anchor(cue, kind, "cfir2", item.id, item.name))
    for item in tax.eric.strategies:
        for text in (f"{item.name}: {item.description}", *item.cues):
            anchors.append(Anchor(text, "approach", "eric", item.id, item.name))
    return anchors


def all_anchors() -> list[Anchor]:
    return [*prototype_anchors(), *taxonomy_anchors()]


class VectorCache:
    """Text -> unit vector; `vectors(texts)` encodes only the texts not seen before, in one batch."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self.encoded = 0

    def __contains__(self, text: str) -> bool:
        return text in self._vectors

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(text)

    def texts(self) -> list[str]:
        """Every text encoded so far, in the order it was first encoded."""
        return list(self._vectors)

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Matrix of the texts' vectors (rows in order), encoding the missing ones once."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.encode(missing), strict=True):
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
            self.encoded += len(missing)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])
