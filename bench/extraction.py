"""Extraction benchmark: evidence recall per kind, items per 1,000 words, and the cue-word floor.

HF_HUB_OFFLINE=1 .venv/bin/python bench/extraction.py [--corpus ../shared/corpus]
    [--gold ../shared/eval/dev_extraction] [--json] [-v]

Coverage: a gold item counts as found when the extracted sentences of the same kind together
overlap >= 50% of its evidence quote's characters (raw-file offsets; see
bench/extraction_eval.py). The floor flags every sentence containing a cue word of a kind
(FLOOR_WORDS) as that kind, scored the same way, in the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from spreadgraph.ingest.documents.parsing import DocumentPipeline
from spreadgraph.ingest.documents.readers import reader_for
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, VectorCache
from spreadgraph.schema.extraction_models import KINDS
from spreadgraph.search.embedder import Embedder

from bench.extraction_eval import (
    extraction_spans,
    floor_spans,
    gold_items,
    link_relation_recall,
    score_spans,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
COLUMNS = (*KINDS, "link")


def bench_document(path: Path, gold_doc: dict, extractor: CueEmbeddingExtractor, cache: VectorCache) -> dict:
    t0 = time.perf_counter()
    raw = reader_for(path).run(path)
    doc = DocumentPipeline().run_raw(raw)
    t1 = time.perf_counter()
    extraction = extractor.run(doc, cache)
    t2 = time.perf_counter()
    gold = gold_items(gold_doc)
    scores = score_spans(raw.text, gold, extraction_spans(doc, extraction))
    fspans, flagged = floor_spans(doc)
    floor = score_spans(raw.text, {k: gold[k] for k in KINDS}, fspans)
    words = extraction.words
    spans = [(f.start, f.end) for f in extraction.findings]
    flagged_sentences = sum(any(a <= x.start and x.end <= b for a, b in spans) for x in extraction.sentences)
    return {
        "file": path.name,
        "words": words,
        "sentences": len(extraction.sentences),
        "items": len(extraction.findings),
        "items_per_1000_words": round(1000 * len(extraction.findings) / words, 2),
        "sentences_flagged": flagged_sentences,
        "sentences_per_1000_words": round(1000 * flagged_sentences / words, 2),
        "links": len(extraction.links),
        "recall": {k: round(scores[k].recall, 3) for k in COLUMNS},
        "gold": {k: scores[k].gold for k in COLUMNS},
        "covered": {k: scores[k].covered for k in COLUMNS},
        "items_by_kind": {k: scores[k].items for k in COLUMNS},
        "link_relation_recall": round(link_relation_recall(doc, raw.text, extraction, gold["link"]), 3),
        "floor": {
            "recall": {k: round(floor[k].recall, 3) for k in KINDS},
            "covered": {k: floor[k].covered for k in KINDS},
            "sentences_flagged": flagged,
            "sentences_per_1000_words": round(1000 * flagged / words, 2),
            "items_per_1000_words": round(1000 * sum(len(v) for v in fspans.values()) / words, 2),
        },
        "seconds": {"parse": round(t1 - t0, 2), "extract": round(t2 - t1, 2)},
        "misses": {k: scores[k].misses for k in KINDS},
    }


def totals(results: list[dict]) -> dict:
    words = sum(r["words"] for r in results)
    gold = {k: sum(r["gold"][k] for r in results) for k in COLUMNS}
    covered = {k: sum(r["covered"][k] for r in results) for k in COLUMNS}
    fcovered = {k: sum(r["floor"]["covered"][k] for r in results) for k in KINDS}
    flagged = sum(r["floor"]["sentences_flagged"] for r in results)
    return {
        "file": "all",
        "words": words,
        "items": sum(r["items"] for r in results),
        "items_per_1000_words": round(1000 * sum(r["items"] for r in results) / words, 2),
        "sentences_per_1000_words": round(1000 * sum(r["sentences_flagged"] for r in results) / words, 2),
        "recall": {k: round(covered[k] / gold[k], 3) if gold[k] else 0.0 for k in COLUMNS},
        "floor": {
            "recall": {k: round(fcovered[k] / gold[k], 3) if gold[k] else 0.0 for k in KINDS},
            "sentences_per_1000_words": round(1000 * flagged / words, 2),
        },
    }


def print_table(results: list[dict], total: dict, timing: dict) -> None:
    head = f"{'document':26} {'method':9} " + " ".join(f"{k[:8]:>8}" for k in COLUMNS) + f" {'/1000w':>7}"
    print(head)
    for r in [*results, total]:
        rec = " ".join(f"{r['recall'][k]:8.2f}" for k in COLUMNS)
        print(
            f"{r['file'][:26]:26} {'extractor':9} {rec} {r['items_per_1000_words']:7.1f}"
            f" ({r['sentences_per_1000_words']:.1f} sentences)"
        )
        frec = " ".join(f"{r['floor']['recall'][k]:8.2f}" for k in KINDS) + f" {'-':>8}"
        print(f"{'':26} {'floor':9} {frec} {r['floor']['sentences_per_1000_words']:7.1f}")
    print(
        f"\nencode+extract {timing['extract']:.1f}s (anchors {timing['anchors']:.1f}s, "
        f"model load included), parse {timing['parse']:.1f}s; texts encoded once each: {timing['encoded']}"
    )
    print(
        "floor /1000w = sentences flagged; extractor /1000w = items (findings, each a window of 1-4 "
        "sentences; links not counted), with the distinct sentences inside them"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev_extraction")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed gold quotes")
    args = parser.parse_args()
    extractor = CueEmbeddingExtractor()
    cache = VectorCache(Embedder("all-MiniLM-L6-v2"))
    t0 = time.perf_counter()
    cache.vectors([a.text for a in extractor.anchors()])
    anchors = time.perf_counter() - t0
    results = []
    for gold_file in sorted(args.gold.glob("*.json")):
        for gold_doc in json.loads(gold_file.read_text())["documents"]:
            results.append(bench_document(args.corpus / gold_doc["file"], gold_doc, extractor, cache))
    total = totals(results)
    timing = {
        "anchors": anchors,
        "parse": sum(r["seconds"]["parse"] for r in results),
        "extract": anchors + sum(r["seconds"]["extract"] for r in results),
        "encoded": cache.encoded,
    }
    if args.json:
        for r in results:
            if not args.verbose:
                r.pop("misses")
        print(json.dumps({"documents": results, "total": total, "timing": timing}, indent=2))
        return
    print_table(results, total, timing)
    if args.verbose:
        for r in results:
            for kind, misses in r["misses"].items():
                print(f"\n{r['file']} missed {kind}:")
                print("\n".join("    " + m for m in misses))


if __name__ == "__main__":
    main()
