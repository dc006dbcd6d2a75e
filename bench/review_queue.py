"""Review queue speed: the grouped queue's first page and a deep page, on both benchmark graphs.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.review_queue --graph-dir /tmp/sg-scale \
        --run-graph /tmp/sg-bench-run [--repeat 20] [--json]

Graphs: the 100,000-excerpt synthetic graph of bench/synthetic.py (`--graph-dir`, built once and
reused, ~40 minutes the first time), and the `make run` graph of bench/system_graph.py
(`--run-graph`, built there beforehand; it is *copied* to a temporary folder first, so the
benchmark never writes to it; `--no-run-graph` skips it). For each graph: the number of groups
and suggested claims, then `graph.review_queue.suggested_groups` (what `/review`,
`GET /api/review/groups` and `spreadgraph review groups` call: totals plus one page of 25 groups
with their claims and passages) timed `--repeat` times after `--warm` untimed calls, at offset 0
and at a deep offset (`--deep`, default: 80% of the groups), p50/p95 in ms. Target: first page
p95 under 1 s on the synthetic graph.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neo4j import Driver
from spreadgraph.graph.review_queue import suggested_groups

PAGE = 25
TARGET_MS = 1000.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_calls(call: Callable[[], Any], repeat: int, warm: int) -> dict[str, float]:
    for _ in range(warm):
        call()
    spent = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(spent), 1), "p95_ms": round(_percentile(spent, 0.95), 1)}


def measure(driver: Driver, repeat: int, warm: int, deep: int | None) -> dict[str, Any]:
    started = time.perf_counter()
    totals, _ = suggested_groups(PAGE, 0, driver=driver)
    cold = round((time.perf_counter() - started) * 1000, 1)
    offset = deep if deep is not None else max(0, int(totals["groups"] * 0.8))
    return {
        **totals,
        "first_call_ms": cold,
        "first_page": time_calls(lambda: suggested_groups(PAGE, 0, driver=driver), repeat, warm),
        "deep_offset": offset,
        "deep_page": time_calls(lambda: suggested_groups(PAGE, offset, driver=driver), repeat, warm),
        "first_page_without_totals": time_calls(
            lambda: suggested_groups(PAGE, 0, with_totals=False, driver=driver), repeat, warm
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=Path("/tmp/sg-scale"))
    parser.add_argument("--run-graph", type=Path, default=Path("/tmp/sg-bench-run"))
    parser.add_argument("--no-run-graph", action="store_true")
    parser.add_argument("--no-scale-graph", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--deep", type=int, default=None, help="the deep page's offset (default 80%%)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    report: dict[str, Any] = {}
    if not args.no_scale_graph:
        from bench.synthetic import scale_graph

        with scale_graph(args.graph_dir, log=log) as driver:
            report["synthetic"] = measure(driver, args.repeat, args.warm, args.deep)
    if not args.no_run_graph:
        from bench.system_graph import bench_graph, read_mark

        if read_mark(args.run_graph) is None:
            raise SystemExit(
                f"{args.run_graph} holds no built graph: run `python -m bench.system_graph "
                f"--graph-dir {args.run_graph}` first"
            )
        copy = Path(tempfile.mkdtemp(prefix="sg-review-bench-")) / "graph"
        shutil.copytree(args.run_graph, copy)
        try:
            with bench_graph(copy, log=log) as driver:
                report["make_run"] = measure(driver, args.repeat, args.warm, args.deep)
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for name, row in report.items():
            totals = f"{row['groups']} groups, {row['claims']} suggested claims"
            log(f"{name}: {totals}; first call {row['first_call_ms']} ms")
            for key in ("first_page", "deep_page", "first_page_without_totals"):
                extra = f" (offset {row['deep_offset']})" if key == "deep_page" else ""
                log(f"  {key}{extra}: p50 {row[key]['p50_ms']} ms, p95 {row[key]['p95_ms']} ms")
        first = report.get("synthetic", {}).get("first_page", {}).get("p95_ms")
        if first is not None:
            log(
                f"target: first page p95 under {TARGET_MS:.0f} ms on the synthetic graph: "
                f"{'met' if first < TARGET_MS else 'missed'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
