"""Document ingest speed: the corpus end to end vs the embedding model alone on the same texts.

Starts a throw-away local Neo4j, loads the model once (not timed), then in one run:
0. the extractor's anchor vectors are put in the on-disk store if missing (once per machine and
   model; reported as anchor_store, not part of either side);
1. baseline A: the model encodes, in one call, the distinct texts ingest will encode that can be
   known in advance (sentences, excerpts, search units; parsed untimed);
2. ingest: parse + extract + embed + write of the documents (`DocumentIngester.ingest_many`,
   fresh vector cache, empty graph), including embedding the cases and items it created;
3. baseline B: the model encodes, in one call, exactly the texts ingest had the model encode.
Phase times (seconds; 'encode' is the model alone, the others exclude it; graph_write runs in
the writer thread, overlapping the rest) show where time over pure encoding goes.
The machines here are shared and noisy, so A and B bracket the ingest; ratio = ingest / mean(A, B).
Also checks that ingest encoded each text once and that a second ingest of the same files
changes nothing (graph fingerprint).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/ingest_speed.py [--corpus ../shared/corpus] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.ingester import DocumentIngester, unit_excerpts
from spreadgraph.ingest.extraction.anchors import VectorCache, all_anchors
from spreadgraph.search.embedder import Embedder
from spreadgraph.search.sentences import document_sentences
from spreadgraph.search.units import plan_units

from bench.scratch import scratch_server
from spreadgraph.config import get_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"


def timed_encode(embedder: Embedder, texts: list[str]) -> float:
    began = time.perf_counter()
    embedder.encode(texts)
    return time.perf_counter() - began


def run(paths: list[Path]) -> dict:
    with (
        tempfile.TemporaryDirectory(prefix="spreadgraph-bench-") as tmp,
        scratch_server(Path(tmp) / "home") as driver,
    ):
        settings = get_settings()
        embedder = Embedder(settings.embedding_model)
        embedder.encode(["warm up the model", "and its thread pool"] * 32)

        ingester = DocumentIngester(embedder)
        # The anchors' vectors live in the on-disk store (filled once per machine and model).
        began = time.perf_counter()
        VectorCache(embedder).stored([a.text for a in all_anchors()], ingester.extractor.vector_store)
        anchors_s = time.perf_counter() - began
        docs = [ingester.pipeline.run(p) for p in paths]
        known: list[str] = []
        for doc in docs:
            units = [u.text for u in plan_units(unit_excerpts(doc))[0]]
            known += units + [e.text for e in doc.excerpts] + [s.text for s in document_sentences(doc)]
        baseline_a = timed_encode(embedder, list(dict.fromkeys(known)))
        print(f"encode only (known texts): {baseline_a:.1f} s", file=sys.stderr)

        ingester.timings.clear()
        calls_before = embedder.calls
        began = time.perf_counter()
        results = list(ingester.ingest_many(paths, driver=driver))
        ingest_s = time.perf_counter() - began
        phases = {k: round(v, 2) for k, v in ingester.timings.items()}
        calls = embedder.calls - calls_before
        errors = [f"{p.name}: {r}" for p, r in results if isinstance(r, Exception)]
        assert not errors, errors
        print(f"ingest: {ingest_s:.1f} s", file=sys.stderr)
        texts = ingester.cache.encoded_texts()  # everything ingest encoded, incl. case/item names
        baseline_b = timed_encode(embedder, texts)
        before = fingerprint(driver)
        began = time.perf_counter()
        again = [r.action for _, r in ingester.ingest_many(paths, driver=driver)]
        rerun_s = time.perf_counter() - began
        assert set(again) == {"unchanged"} and fingerprint(driver) == before
        counts = driver.execute_query(
            "RETURN COUNT { (c:Claim) } AS claims, "
            "COUNT { (e:Excerpt) WHERE e.embedding IS NOT NULL } AS excerpts, "
            "COUNT { (u:Sentence) WHERE u.embedding IS NOT NULL } AS units, "
            "COUNT { (n) WHERE (n:Case OR n:Barrier OR n:Enabler OR n:Approach OR n:Excerpt "
            "OR n:Sentence) AND n.embedding IS NULL } AS unembedded"
        ).records[0]
    words = sum(len(d.text.split()) for d in docs)
    baseline = (baseline_a + baseline_b) / 2
    return {
        "documents": len(paths),
        "words": words,
        "texts_encoded": len(texts),
        "encoded_once": len(set(texts)) == len(texts) == ingester.cache.encoded,
        "encode_calls": calls,
        "anchors_from_store": ingester.cache.from_store,
        "words_encoded": sum(len(t.split()) for t in texts),
        "claims": counts["claims"],
        "excerpts_embedded": counts["excerpts"],
        "units_embedded": counts["units"],
        "nodes_without_embedding": counts["unembedded"],
        "seconds": {
            "ingest": round(ingest_s, 1),
            "encode_only_before": round(baseline_a, 1),  # texts known in advance
            "encode_only_after": round(baseline_b, 1),
            "reingest_unchanged": round(rerun_s, 1),
            "anchor_store": round(anchors_s, 1),
        },
        "ratio_ingest_to_encode": round(ingest_s / baseline, 3),
        "ratio_ingest_to_own_encode": round(ingest_s / phases.get("encode", ingest_s), 3),
        "phases": phases,
        "words_per_second": round(words / ingest_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    paths = sorted(args.corpus.glob("*.txt"))
    if not paths:
        raise SystemExit(f"no corpus documents under {args.corpus}")
    result = run(paths)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    s = result["seconds"]
    print(f"{result['documents']} documents, {result['words']} words, {result['texts_encoded']} texts")
    print(f"ingest (parse + extract + embed + write): {s['ingest']} s")
    print(f"encode only, same texts: {s['encode_only_before']} s before, {s['encode_only_after']} s after")
    print(f"ratio ingest / encode: {result['ratio_ingest_to_encode']}")
    print("phases (s; graph_write runs in the writer thread, overlapping the others):")
    for phase, seconds in result["phases"].items():
        print(f"  {phase:16} {seconds:7.2f}")
    print(f"re-ingest (unchanged): {s['reingest_unchanged']} s; claims {result['claims']}")


if __name__ == "__main__":
    main()
