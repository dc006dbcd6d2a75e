"""Keeping the vector indexes filled: embed every node of an embedded label that has no embedding.

`refresh(driver, encoder)` is what ingest calls after writing (documents and templates alike):
it writes the sentence search units of new excerpts (`search.units.index_sentences`), then
`embed_missing(driver, encoder)` embeds whatever still has no vector. `reembed(driver, encoder)`
(`spreadgraph reembed`) brings every stored vector in line with the current model, for when
SPREADGRAPH_EMBEDDING_MODEL changes. `encoder` is an `Embedder` or a `VectorCache`
(whose texts are encoded once: a node whose text the extractor already encoded costs nothing).
Work goes in batches: read up to `batch` nodes without an embedding, encode their distinct texts,
write the vectors, repeat; an interrupted run resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from neo4j import Driver
from spreadgraph.graph.connection import read_tx, write_tx
from spreadgraph.graph.embeddings import (
    embedded_page,
    missing_embeddings,
    replace_embeddings,
    set_embeddings,
)
from spreadgraph.schema.model import embedded_labels

BATCH = 256


def encode_texts(encoder: object, texts: list[str]) -> list[list[float]]:
    """Unit vectors for `texts` from an Embedder (`encode`) or a VectorCache (`vectors`)."""
    if hasattr(encoder, "vectors"):
        return [[float(x) for x in row] for row in encoder.vectors(texts)]
    return encoder.encode(texts)


def embed_missing(
    driver: Driver | None,
    encoder: object,
    labels: Iterable[str] | None = None,
    *,
    batch: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Embed nodes of `labels` (default: every embedded label) that have none; count per label."""
    done: dict[str, int] = {}
    for label in labels or embedded_labels():
        if label not in embedded_labels():
            raise ValueError(f"{label} has no vector index in schema/model.py")
        done[label] = 0
        while True:
            rows = read_tx(lambda tx, label=label: missing_embeddings(tx, label, batch), driver=driver)
            if not rows:
                break
            texts = list(dict.fromkeys(r["text"] for r in rows))
            vectors = dict(zip(texts, encode_texts(encoder, texts), strict=True))
            payload = [{"id": r["id"], "embedding": vectors[r["text"]]} for r in rows]
            write_tx(
                lambda tx, label=label, payload=payload: set_embeddings(tx, label, payload), driver=driver
            )
            done[label] += len(rows)
            if progress:
                progress(label, len(rows))
            if len(rows) < batch:
                break
    return {label: n for label, n in done.items() if n}


SAME = 0.999  # cosine above which a stored vector counts as this model's


def count_embedded(driver: Driver | None) -> dict[str, int]:
    """Nodes per embedded label (what `reembed` will look at)."""
    return {
        label: read_tx(
            lambda tx, label=label: tx.run(f"MATCH (n:{label}) RETURN count(n) AS n").single()["n"],
            driver=driver,
        )
        for label in embedded_labels()
    }


def reembed(
    driver: Driver | None,
    encoder: object,
    labels: Iterable[str] | None = None,
    *,
    batch: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Re-encode every node of `labels` with `encoder` and store the vectors that differ.

    The model that made a stored vector is not recorded, so each node's text is encoded and
    compared: a vector within cosine `SAME` of the new one is kept, anything else (or none) is
    replaced. Running it again writes nothing; an interrupted run resumes by running it again.
    A model whose dimension differs from the stored vectors' is refused (the vector indexes
    would need rebuilding first). Returns per label {'checked': n, 'replaced': m}.
    """
    import numpy as np

    from spreadgraph.errors import ConfigError

    done: dict[str, dict[str, int]] = {}
    for label in labels or embedded_labels():
        if label not in embedded_labels():
            raise ValueError(f"{label} has no vector index in schema/model.py")
        stats = done.setdefault(label, {"checked": 0, "replaced": 0})
        after = ""
        while True:
            rows = read_tx(
                lambda tx, label=label, after=after: embedded_page(tx, label, after, batch),
                driver=driver,
            )
            if not rows:
                break
            texts = list(dict.fromkeys(r["text"] for r in rows))
            fresh = dict(zip(texts, encode_texts(encoder, texts), strict=True))
            payload = []
            for r in rows:
                new = np.asarray(fresh[r["text"]], dtype=np.float32)
                old = r["embedding"]
                if old is not None and len(old) != len(new):
                    raise ConfigError(
                        f"{label} {r['id']}: stored vectors have {len(old)} dimensions, the model "
                        f"gives {len(new)}",
                        hint="rebuild the vector indexes for the new dimension before re-embedding",
                    )
                if old is None or float(np.dot(np.asarray(old, dtype=np.float32), new)) < SAME:
                    payload.append({"id": r["id"], "embedding": new.tolist()})
            if payload:
                write_tx(
                    lambda tx, label=label, payload=payload: replace_embeddings(tx, label, payload),
                    driver=driver,
                )
            stats["checked"] += len(rows)
            stats["replaced"] += len(payload)
            if progress:
                progress(label, len(rows))
            after = rows[-1]["id"]
            if len(rows) < batch:
                break
    return done
