"""Texts the sentences are compared with: kind prototypes and taxonomy entries, and a vector cache.

Prototypes are short, generic descriptions of what each kind of finding sounds like, written for
this project (paraphrases of typical implementation talk, never sentences from a document).
Taxonomy anchors are CFIR 2.0 constructs/subconstructs (barriers, enablers) and ERIC strategies
(approaches), one anchor text per description and one per cue, so a sentence near any phrasing
of a construct scores high. `VectorCache` encodes each distinct text once and keeps its vector;
`VectorCache.stored` also keeps the anchors' vectors on disk, keyed by model name and text hash.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
        "Some practitioners slipped back into their old habits once the training was over.",
        "Families were not always on board, which made it harder for patients to change.",
        "There was too much to take in and the sessions felt rushed.",
        "Posts stayed vacant for months and the work stalled while people left.",
        "The IT systems did not talk to each other, so information had to be entered twice.",
        "Managers were focused on meeting targets and the project slipped down their list.",
    ),
    "enabler": (
        "An enabler that helped the innovation to be adopted and embedded.",
        "Strong leadership support and management buy-in were key to its success.",
        "Enthusiastic champions and committed staff kept momentum going.",
        "Existing relationships, trust and a shared vision made implementation easier.",
        "It fitted well with organisational priorities and the wider policy context.",
        "Dedicated funding and protected time made it possible for staff to take part.",
        "What made it work was a manager who backed the project and gave staff time.",
        "Staff found the sessions useful and were keen to use what they had learned.",
        "Having a local lead who knew the system well made a big difference.",
        "The programme built on work already under way, which gave it a head start.",
        "Good relationships between partner organisations helped the work move forward.",
        "Funding for backfill meant practitioners could be released to attend.",
        "Positive feedback from patients encouraged staff to keep going.",
        "The site was chosen because it already had a settled workforce and a culture of improvement.",
    ),
    "approach": (
        "The team introduced a new way of working and trained staff to deliver it.",
        "Staff attended training workshops and follow-up sessions to practise their skills.",
        "A group of champions was set up to support colleagues and share learning.",
        "The project recruited new roles and piloted the service in one site first.",
        "They used regular meetings, newsletters and events to communicate with staff.",
        "The model was co-designed with patients and service users.",
        "Data were collected and fed back to teams to monitor progress.",
        "Each site appointed a project lead to coordinate the work.",
        "Practitioners were given coaching tools and a short refresher course.",
        "The team held monthly meetings to review progress and share stories.",
        "A steering group oversaw the rollout and reported to the board.",
        "They tested the change on a small scale before spreading it to other teams.",
        "An external evaluator was commissioned to gather feedback from staff and patients.",
        "Make sure managers understand the new model so they can support their teams.",
        "Offer the training to new starters when they join.",
        "The intervention was delivered through group sessions led by trained facilitators.",
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
        self.seconds = 0.0  # wall time spent in the model's encode
        self.from_store = 0  # vectors loaded from the on-disk store instead of encoded
        self._encoded_texts: list[str] = []
        self._lock = threading.Lock()

    def __contains__(self, text: str) -> bool:
        return text in self._vectors

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(text)

    def texts(self) -> list[str]:
        """Every text with a vector (encoded or loaded from the store), in the order it came."""
        return list(self._vectors)

    def encoded_texts(self) -> list[str]:
        """The texts this cache had the model encode, in order (each once)."""
        return list(self._encoded_texts)

    def stored(self, texts: list[str], directory: Path | None) -> np.ndarray:
        """Like `vectors`, for a fixed list (the anchors): loaded from `directory` when a file keyed
        by the model name and the texts' hash is there, else encoded once and saved there."""
        name = getattr(self.embedder, "name", None)
        if directory is None or not name or all(t in self._vectors for t in texts):
            return self.vectors(texts)
        key = "\n".join([str(name), *texts])
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        path = directory / f"{digest}.npy"
        try:
            matrix = np.load(path)
        except (OSError, ValueError):
            matrix = None
        if matrix is not None and matrix.shape[0] == len(texts):
            with self._lock:
                for text, vector in zip(texts, matrix, strict=True):
                    if text not in self._vectors:
                        self._vectors[text] = vector.astype(np.float32)
                        self.from_store += 1
            return self.vectors(texts)
        matrix = self.vectors(texts)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, matrix)
            tmp.replace(path)
        except OSError:
            pass  # a read-only cache only costs the encoding next time
        return matrix

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Matrix of the texts' vectors (rows in order), encoding the missing ones once."""
        with self._lock:  # a writer thread may ask for vectors while the main thread encodes
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
            if missing:
                began = time.perf_counter()
                encoder = getattr(self.embedder, "encode_array", self.embedder.encode)
                encoded = encoder(missing)
                self.seconds += time.perf_counter() - began
                for text, vector in zip(missing, encoded, strict=True):
                    self._vectors[text] = np.asarray(vector, dtype=np.float32)
                self.encoded += len(missing)
                self._encoded_texts.extend(missing)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])
