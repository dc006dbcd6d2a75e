"""Adapt the search embedder to the repository's own documents (the inverse cloze task).

all-MiniLM-L6-v2 learned what sentences mean from web pairs; staff ask about evaluation reports
in their own words, and the report says it in another's. The inverse cloze task (Lee, Chang and
Toutanova, 2019) teaches the model the documents' own associations without a single labelled
question: each sentence of a paragraph is a pseudo-question and the rest of its paragraph (the
sentence itself left in one time out of ten) its answer, and the model learns to pick that answer
out of the batch (in-batch negatives, a symmetric contrastive loss). Nothing is fitted to any
question set: the text is the repository's documents, and the settings are the method's usual
ones, fixed before they were measured (docs/benchmarks.md, "Adapted search model").

The adapted model is written to ``<SPREADGRAPH_HOME>/models/search`` with ``adaptation.json``
(what it was trained from and how); `search.embedder.configured_embedder` uses it for every
stored search vector and every query. Extraction keeps the base model (its thresholds are calibrated on
it). Training is seeded and runs on the CPU (``torch.use_deterministic_algorithms``), so the same
texts give the same model.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.search.embedder import ADAPTATION_METADATA as METADATA
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.sentences import split_spans

_VISIBLE_DOCUMENT_TEXT = """
MATCH (e:Excerpt)-[:FROM]->(s:Source)
WHERE s.kind <> 'template' AND {predicate}
RETURN e.text AS text ORDER BY s.id, e.start, e.id
"""


def training_paragraphs(driver: Driver | None = None) -> list[str]:
    """The text of every excerpt of the current documents that anyone may search (the visibility
    rule of search/filters.py: nothing of a pending or rejected case), in document order."""
    filters = SearchFilters()
    statement = _VISIBLE_DOCUMENT_TEXT.format(predicate=filters.excerpt_predicate())
    return [row["text"] for row in read(statement, filters.params(), driver=driver) if row["text"]]


@dataclass(frozen=True)
class AdaptationSettings:
    """The training recipe: one pass, the learning rate and batch size sentence-transformers uses
    for contrastive fine-tuning, the inverse cloze task's 10% of kept sentences."""

    epochs: int = 1
    learning_rate: float = 2e-5
    batch_size: int = 32
    warmup_share: float = 0.1
    scale: float = 20.0  # cosine -> logit, as MultipleNegativesRankingLoss
    keep_sentence: float = 0.1
    context_sentences: int = 6
    min_words: int = 5
    max_words: int = 60
    max_seq_length: int = 160  # tokens per training text (the saved model keeps the base's limit)
    max_pairs: int = 50_000
    seed: int = 0


def settings_record(settings: AdaptationSettings | None = None) -> dict[str, object]:
    """The recipe as `adaptation.json` records it (to tell whether a saved model is current)."""
    return asdict(settings or AdaptationSettings())


def ict_pairs(paragraphs: Sequence[str], settings: AdaptationSettings) -> list[tuple[str, str]]:
    """(sentence, the rest of its paragraph) for each sentence of `min_words`..`max_words` words in a
    paragraph of three or more sentences; the context is up to `context_sentences` around it."""
    rng = random.Random(settings.seed)
    pairs: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        sentences = [paragraph[a:b] for a, b in split_spans(paragraph)]
        if len(sentences) < 3:
            continue
        for i, sentence in enumerate(sentences):
            if not settings.min_words <= len(sentence.split()) <= settings.max_words:
                continue
            rest = sentences if rng.random() < settings.keep_sentence else sentences[:i] + sentences[i + 1 :]
            first = max(0, i - settings.context_sentences // 2)
            pairs.append((sentence, " ".join(rest[first : first + settings.context_sentences])))
    rng.shuffle(pairs)
    return pairs[: settings.max_pairs]


def texts_checksum(paragraphs: Sequence[str]) -> str:
    """sha256 of the training paragraphs, in order (what `adaptation.json` records)."""
    digest = hashlib.sha256()
    for paragraph in paragraphs:
        digest.update(paragraph.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def adapt(
    base: Path,
    paragraphs: Sequence[str],
    out: Path,
    settings: AdaptationSettings | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    base_name: str | None = None,
) -> dict[str, object]:
    """Fine-tune the sentence-transformers model at `base` on `paragraphs` (inverse cloze task) and
    save it at `out` (replaced whole: written beside it, then moved in). Returns the metadata saved
    as `adaptation.json`. `progress(step, steps, loss)` is called after each step."""
    import torch
    from sentence_transformers import SentenceTransformer

    settings = settings or AdaptationSettings()
    pairs = ict_pairs(paragraphs, settings)
    if len(pairs) < 2:
        raise ValueError(f"{len(pairs)} training pairs: too few paragraphs of three or more sentences")
    torch.manual_seed(settings.seed)
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        model = SentenceTransformer(str(base), device="cpu")
        model, losses, step, seconds = _train(model, pairs, settings, progress)
    finally:
        torch.use_deterministic_algorithms(deterministic)
    metadata: dict[str, object] = {
        "method": "inverse cloze task",
        "base": base_name or str(base),
        "paragraphs": len(paragraphs),
        "texts_sha256": texts_checksum(paragraphs),
        "pairs": len(pairs),
        "steps": step,
        "first_loss": round(losses[0], 4),
        "last_loss": round(losses[-1], 4),
        "seconds": seconds,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "settings": settings_record(settings),
    }
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    model.save(str(staging))
    (staging / METADATA).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return metadata


def _train(
    model: object,
    pairs: list[tuple[str, str]],
    settings: AdaptationSettings,
    progress: Callable[[int, int, float], None] | None,
) -> tuple[object, list[float], int, float]:
    """The training loop: (model, losses, steps, seconds)."""
    import torch

    base_length, model.max_seq_length = model.max_seq_length, settings.max_seq_length
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate)
    steps = settings.epochs * math.ceil(len(pairs) / settings.batch_size)
    warmup = max(1, int(settings.warmup_share * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps)
    )
    rng = random.Random(settings.seed)
    started, step, losses = time.perf_counter(), 0, []
    model.train()
    for _ in range(settings.epochs):
        order = list(pairs)
        rng.shuffle(order)
        for first in range(0, len(order), settings.batch_size):
            batch = order[first : first + settings.batch_size]
            if len(batch) < 2:
                continue
            questions = _embed(model, [q for q, _ in batch])
            answers = _embed(model, [a for _, a in batch])
            logits = questions @ answers.T * settings.scale
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, target)
                + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            losses.append(float(loss.detach()))
            if progress:
                progress(step, steps, losses[-1])
    model.eval()
    model.max_seq_length = base_length  # only the weights change: texts are read as the base reads them
    return model, losses, step, round(time.perf_counter() - started, 1)


def _embed(model: object, texts: list[str]) -> object:
    """Unit vectors for `texts` with gradients (the model's forward pass, as encode does it)."""
    import torch

    features = model.preprocess(texts)  # type: ignore[attr-defined]
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)  # type: ignore[operator]


def read_metadata(folder: Path) -> dict[str, object] | None:
    """The `adaptation.json` of an adapted model folder, or None."""
    path = folder / METADATA
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def is_current(folder: Path, paragraphs: Sequence[str], base_name: str) -> bool:
    """The model in `folder` was made from these paragraphs, from `base_name`, with today's recipe."""
    made = read_metadata(folder)
    return (
        made is not None
        and made.get("texts_sha256") == texts_checksum(paragraphs)
        and made.get("settings") == settings_record()
        and made.get("base") == base_name
    )
