"""Leave-one-document-out estimate for the extractor's per-kind quotas (tuned on the dev gold).

The quotas in `scoring.Weights` were chosen on both dev documents, so their recall there is
optimistic. Here, for each dev document, the quotas are chosen on the *other* document (the grid
point with the best worst recall over barrier, enabler and approach, total 25 per 1,000 words)
and scored on this one; pooled over gold items, that is the honest estimate.

The same folds score issue 18's item figures (bench/extraction_metric.py: named-with-evidence
recall, name precision, link recall, review decisions): the held-out document is extracted with
the quotas chosen on the other one, and what the writer would store for it
(`extraction_eval.extraction_items`) is scored like the graph. `shipped_metric` is the same with
the shipped quotas (it should equal the graph's figures).

The concept-resolution threshold (`Weights.resolve`: least MiniLM cosine for a finding to resolve
to a concept by embedding alone) is fitted the same way: in each fold it is chosen on the other
document (with that fold's quotas), as the grid value with the best mean of named-with-evidence
recall and name precision there, and applied to the held-out one (`resolve_chosen_on_the_others`,
with the other document's objective per value in `resolve_objective_on_the_others`). The shipped
value is the best on both documents pooled (`resolve_pooled_objective`). The quotas and the
threshold are the only things fitted to the dev gold that a fold can refit; the cue lists,
prototypes, concept vocabulary and parser are not refitted here.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.lodo [--corpus ../shared/corpus] [--gold ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace
from pathlib import Path

from spreadgraph.ingest.documents.parsing import DocumentPipeline
from spreadgraph.ingest.documents.readers import reader_for
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, VectorCache
from spreadgraph.ingest.extraction.scoring import Weights, score_sentences, select
from spreadgraph.schema.extraction_models import KINDS
from spreadgraph.search.embedder import naming_embedder
from spreadgraph.search.sentences import document_sentences

from bench.extraction_eval import extraction_items, gold_items, score_spans
from bench.extraction_metric import NameSimilarity, Similarity, item_figures, pool

SHARED = Path(__file__).resolve().parents[2] / "shared"
TARGET = ("barrier", "enabler", "approach")
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def objective(figures: dict) -> float:
    """What the resolution threshold is chosen for: mean of named-with-evidence recall (all kinds)
    and name precision."""
    named = figures["named_recall"]["all"]["value"] or 0.0
    precision = figures["name_precision"]["all"]["value"] or 0.0
    return (named + precision) / 2


def grid() -> list[tuple[tuple[str, float], ...]]:
    points = []
    for b, e, a in itertools.product((5, 5.5, 6, 6.5), (6, 6.5, 7, 7.5, 8), (7, 7.5, 8, 8.5, 9)):
        rest = 25 - b - e - a
        if 2 <= rest <= 5:
            points.append(tuple(zip(KINDS, (b, e, a, rest / 2, rest / 2), strict=True)))
    return points


def prepare(path: Path, gold_doc: dict, extractor: CueEmbeddingExtractor, cache: VectorCache) -> dict:
    raw = reader_for(path).run(path)
    doc = DocumentPipeline().run_raw(raw)
    sentences = document_sentences(doc)
    anchors = extractor.anchors()
    scored = score_sentences(
        sentences,
        cache.vectors([s.text for s in sentences]),
        anchors,
        cache.stored([a.text for a in anchors], extractor.vector_store),
        extractor.weights,
    )
    return {
        "raw": raw.text,
        "doc": doc,
        "scored": scored,
        "gold": gold_items(gold_doc),
        "gold_doc": gold_doc,
        "file": path.name,
    }


def recall(item: dict, weights: Weights) -> dict[str, tuple[int, int]]:
    doc, words = item["doc"], len(item["doc"].text.split())
    spans: dict[str, list[tuple[int, int]]] = {k: [] for k in KINDS}
    for _, kind, window in select(item["scored"], words, weights):
        start, end = window[0].sentence.start, window[-1].sentence.end
        spans[kind].append(doc.offsets.span_to_raw(start, end))
    scores = score_spans(item["raw"], {k: item["gold"][k] for k in KINDS}, spans)
    return {k: (scores[k].covered, scores[k].gold) for k in KINDS}


def held_out_figures(
    item: dict, weights: Weights, extractor: CueEmbeddingExtractor, cache: VectorCache, similarity: Similarity
) -> dict:
    """Issue 18's item figures of one prepared document extracted with `weights` (not written)."""
    runner = CueEmbeddingExtractor(extractor.embedder, weights=weights, vector_store=extractor.vector_store)
    extraction = runner.run(item["doc"], cache)
    items, links, decisions = extraction_items(item["doc"], extraction)
    return item_figures(item["gold_doc"], items, links, decisions, extraction.words, similarity)


def run_lodo(
    gold_docs: list[dict],
    corpus: Path,
    extractor: CueEmbeddingExtractor,
    cache: VectorCache,
    similarity: Similarity | None = None,
) -> dict:
    """Per held-out document: quotas chosen on the others, span recall with them, and (given a
    `similarity`) issue 18's item figures with them (`metric`) and with the shipped quotas
    (`shipped_metric`); pooled over the folds."""
    docs = [prepare(corpus / g["file"], g, extractor, cache) for g in gold_docs]
    base = extractor.weights
    table = {q: [recall(d, replace(base, quotas=q)) for d in docs] for q in grid()}
    out: dict[str, object] = {"shipped_quotas": dict(base.quotas), "folds": []}
    pooled = {k: [0, 0] for k in KINDS}
    metrics, shipped_metrics = [], []
    for i, held in enumerate(docs):
        others = [j for j in range(len(docs)) if j != i]

        def worst(q: tuple[tuple[str, float], ...], others: list[int] = others) -> float:
            return min(
                sum(table[q][j][k][0] for j in others) / max(1, sum(table[q][j][k][1] for j in others))
                for k in TARGET
            )

        chosen = max(table, key=worst)
        result = table[chosen][i]
        for k in KINDS:
            pooled[k][0] += result[k][0]
            pooled[k][1] += result[k][1]
        fold: dict[str, object] = {
            "held_out": held["file"],
            "quotas_chosen_on_the_others": dict(chosen),
            "recall": {k: round(c / g, 3) if g else 0.0 for k, (c, g) in result.items()},
        }
        if similarity is not None:
            scores = {
                t: sum(
                    objective(
                        held_out_figures(
                            docs[j], replace(base, quotas=chosen, resolve=t), extractor, cache, similarity
                        )
                    )
                    for j in others
                )
                / len(others)
                for t in THRESHOLDS
            }
            threshold = max(THRESHOLDS, key=lambda t: (round(scores[t], 4), -abs(t - base.resolve)))
            fold["resolve_chosen_on_the_others"] = threshold
            fold["resolve_objective_on_the_others"] = {str(t): round(v, 3) for t, v in scores.items()}
            metric = held_out_figures(
                held, replace(base, quotas=chosen, resolve=threshold), extractor, cache, similarity
            )
            at_shipped = held_out_figures(held, base, extractor, cache, similarity)
            fold["metric"], fold["shipped_metric"] = metric, at_shipped
            metrics.append(metric)
            shipped_metrics.append(at_shipped)
        out["folds"].append(fold)
    out["lodo_recall"] = {k: round(c / g, 3) if g else 0.0 for k, (c, g) in pooled.items()}
    shipped = [recall(d, base) for d in docs]
    out["shipped_recall_on_dev"] = {
        k: round(sum(r[k][0] for r in shipped) / sum(r[k][1] for r in shipped), 3) for k in KINDS
    }
    if similarity is not None:
        out["lodo_metric"] = pool(metrics)
        out["shipped_metric_on_dev"] = pool(shipped_metrics)
        out["shipped_resolve"] = base.resolve
        out["resolve_pooled_objective"] = {
            str(t): round(
                objective(
                    pool(
                        [
                            held_out_figures(d, replace(base, resolve=t), extractor, cache, similarity)
                            for d in docs
                        ]
                    )
                ),
                3,
            )
            for t in THRESHOLDS
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev_extraction")
    parser.add_argument("--no-metric", action="store_true", help="span recall only (no item figures)")
    args = parser.parse_args()
    embedder = naming_embedder()
    extractor = CueEmbeddingExtractor(embedder)
    cache = VectorCache(embedder)
    gold_docs = [g for f in sorted(args.gold.glob("*.json")) for g in json.loads(f.read_text())["documents"]]
    similarity = None if args.no_metric else NameSimilarity(cache.vectors)
    out = run_lodo(gold_docs, args.corpus, extractor, cache, similarity)
    for fold in out["folds"]:
        for key in ("metric", "shipped_metric"):
            if key in fold:
                fold[key].pop("misses")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
