"""Excerpt-detection recall (with speaker role) and case-attribution accuracy on the dev gold.

.venv/bin/python bench/excerpts.py [--corpus ../shared/corpus] [--gold ../shared/eval/dev_extraction] [-v]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from spreadgraph.ingest.documents.parsing import DocumentPipeline
from spreadgraph.ingest.documents.readers import reader_for

from bench.excerpt_eval import score_excerpts

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev_extraction")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses")
    args = parser.parse_args()
    pipeline = DocumentPipeline()
    totals = [0, 0, 0, 0, 0]
    print(f"{'document':28} {'gold':>5} {'recall':>7} {'+role':>7} {'cases':>7} {'quotes':>7} {'secs':>6}")
    for gold_file in sorted(args.gold.glob("*.json")):
        for gold_doc in json.loads(gold_file.read_text())["documents"]:
            path = args.corpus / gold_doc["file"]
            t0 = time.perf_counter()
            raw = reader_for(path).run(path)
            parsed = pipeline.run_raw(raw)
            elapsed = time.perf_counter() - t0
            score = score_excerpts(parsed, raw.text, gold_doc["interview_excerpts"])
            for i, v in enumerate(
                (score.gold, score.found, score.found_with_role, score.cased, score.case_right)
            ):
                totals[i] += v
            cases = f"{score.case_accuracy:.2f}" if score.cased else "  -"
            print(
                f"{path.name:28} {score.gold:5} {score.recall:7.2f} {score.recall_with_role:7.2f} {cases:>7} "
                f"{len(parsed.quotes()):7} {elapsed:6.2f}"
            )
            if args.verbose:
                print("\n".join("    " + m for m in score.misses))
    gold, found, with_role, cased, right = totals
    print(
        f"{'all':28} {gold:5} {found / gold:7.2f} {with_role / gold:7.2f} "
        f"{(right / cased if cased else 0):7.2f}"
    )


if __name__ == "__main__":
    main()
