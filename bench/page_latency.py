"""Web page and canned-query latency over the synthetic scale graph (issue 6's performance figure).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.page_latency --graph-dir /tmp/sg-scale [--json]

Starts a real `spreadgraph serve` over the graph of bench/synthetic.py (built once, reused),
then, with one client, requests each main HTML page for a sample of different nodes (home,
case, barrier, approach, source, innovation, and /search, /what-worked, /overview when the app
has them: a page that answers 404 is skipped with a note) and runs every canned query of
`schema/canned_queries.yaml` with its default parameters through `POST /api/cypher`. Reports
p50/p95 per page and per query. The barrier and approach samples include the most-used node
(the heaviest page) as well as random ones.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.latency_queries import query_texts
from bench.search_latency import WebServer, machine, percentile
from bench.synthetic import scale_graph

SAMPLE = """
MATCH (n:{label}) {where}
WITH n, rand() AS r ORDER BY r LIMIT $n
RETURN n.id AS id
"""
HEAVIEST = """
MATCH (n:{label})<-[:SUBJECT|OBJECT]-(:Claim)
RETURN n.id AS id, count(*) AS claims ORDER BY claims DESC LIMIT 1
"""


def sample_ids(driver: Any, per_page: int) -> dict[str, list[str]]:
    """Ids to open per page kind: random published cases, items, document sources."""
    picks = {
        "cases": ("Case", "WHERE n.status = 'published'"),
        "barriers": ("Barrier", ""),
        "approaches": ("Approach", ""),
        "innovations": ("Innovation", ""),
        "sources": ("Source", "WHERE n.kind = 'document'"),
    }
    out: dict[str, list[str]] = {}
    for page, (label, where) in picks.items():
        rows, _, _ = driver.execute_query(SAMPLE.format(label=label, where=where), n=per_page)
        out[page] = [r["id"] for r in rows]
        if page in ("barriers", "approaches"):
            heavy, _, _ = driver.execute_query(HEAVIEST.format(label=label))
            rest = [i for i in out[page] if i != heavy[0]["id"]][: per_page - 1]
            out[page] = [heavy[0]["id"], *rest]
    return out


def time_get(client: httpx.Client, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    r = client.get(url, headers={"accept": "text/html"})
    return (time.perf_counter() - started) * 1000, r.status_code, len(r.content)


def figures(ms: list[float], statuses: list[int], sizes: list[int]) -> dict[str, Any]:
    return {
        "requests": len(ms),
        "errors": sum(1 for s in statuses if s >= 400),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
        "kb_median": round(statistics.median(sizes) / 1024, 1),
    }


def page_urls(ids: dict[str, list[str]], per_page: int) -> dict[str, list[str]]:
    texts = query_texts(random.Random(31))
    urls = {"home": ["/"] * per_page, "overview": ["/overview"] * per_page}
    for kind, values in ids.items():
        urls[kind[:-1] if kind != "approaches" else "approach"] = [
            f"/{kind}/{quote(i, safe=':')}" for i in values
        ]
    urls["search"] = [f"/search?q={quote(t)}" for t in texts[:per_page]]
    urls["what-worked"] = [f"/what-worked?q={quote(t)}" for t in texts[per_page : 2 * per_page]]
    return urls


def run_pages(base: str, urls: dict[str, list[str]], log) -> tuple[dict[str, Any], list[str]]:
    out: dict[str, Any] = {}
    notes: list[str] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for name, batch in urls.items():
            probe = client.get(batch[0], headers={"accept": "text/html"})
            if probe.status_code == 404 and name in ("search", "what-worked", "overview"):
                notes.append(f"{name}: {batch[0].split('?')[0]} answers 404, skipped (page not built yet)")
                continue
            timed = [time_get(client, url) for url in batch]
            out[name] = figures([t[0] for t in timed], [t[1] for t in timed], [t[2] for t in timed])
            log(f"  {name}: {out[name]}")
    return out, notes


def run_canned(base: str, repeat: int, log) -> dict[str, Any]:
    from spreadgraph.webui.canned import canned_queries

    out: dict[str, Any] = {}
    with httpx.Client(base_url=base, timeout=120) as client:
        for name, canned in canned_queries().items():
            body = {"query": canned.cypher, "params": canned.values({})}
            ms, statuses, rows = [], [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                r = client.post("/api/cypher", json=body)
                ms.append((time.perf_counter() - started) * 1000)
                statuses.append(r.status_code)
                if r.status_code == 200:
                    data = r.json()
                    rows = len(data.get("rows", []))
                    server_ms = data.get("elapsed_ms")
            out[name] = figures(ms, statuses, [0]) | {"rows": rows}
            if statuses[-1] == 200:
                out[name]["server_ms_last"] = server_ms
            else:
                out[name]["error"] = r.text[:300]
            log(f"  canned {name}: {out[name]}")
    return out


def table(report: dict[str, Any]) -> str:
    lines = [f"graph: {report['counts']}", "", "| page | requests | p50 ms | p95 ms | max ms | KB | errors |"]
    lines.append("|" + " --- |" * 7)
    for name, f in report["pages"].items():
        lines.append(
            f"| {name} | {f['requests']} | {f['p50_ms']} | {f['p95_ms']} | {f['max_ms']} | "
            f"{f['kb_median']} | {f['errors']} |"
        )
    lines += ["", "| canned query | runs | p50 ms | p95 ms | rows | errors |", "|" + " --- |" * 6]
    for name, f in report["canned"].items():
        lines.append(
            f"| {name} | {f['requests']} | {f['p50_ms']} | {f['p95_ms']} | {f['rows']} | {f['errors']} |"
        )
    lines += [f"note: {n}" for n in report["notes"]]
    lines.append(
        f"load average before/after: {report['machine_before']['loadavg']} / "
        f"{report['machine_after']['loadavg']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=Path("/tmp/sg-scale"))
    parser.add_argument("--excerpts", type=int, default=100_000)
    parser.add_argument("--per-page", type=int, default=20, help="requests per page kind")
    parser.add_argument("--canned-repeat", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda s: print(s, file=sys.stderr)) if args.json else print
    report: dict[str, Any] = {}
    with scale_graph(args.graph_dir, args.excerpts, log=log) as driver:
        report["counts"] = json.loads((args.graph_dir / "fingerprint.json").read_text())["counts"]
        ids = sample_ids(driver, args.per_page)
        report["machine_before"] = machine()
        with WebServer() as server:
            log(f"web server on {server.base}")
            for url in ("/", "/cases/" + quote(ids["cases"][0], safe=":")):  # warm-up
                httpx.get(server.base + url, timeout=120)
            report["pages"], report["notes"] = run_pages(server.base, page_urls(ids, args.per_page), log)
            report["canned"] = run_canned(server.base, args.canned_repeat, log)
            report["web_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        report["machine_after"] = machine()
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
