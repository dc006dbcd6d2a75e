"""Search speed at scale: `/api/search` and `/api/what-worked` latency, web-process memory, index recall.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.search_latency --graph-dir /tmp/sg-scale [--json]

Over the synthetic graph of bench/synthetic.py (built once, reused): starts a real
`spreadgraph serve` process (uvicorn, 127.0.0.1, stops with this process), warms it up, then
times realistic queries (bench/latency_queries.py; with and without filters, every request a
text not sent before in that phase) with 1 and 8 concurrent httpx clients. Reports p50/p95 per
endpoint and concurrency, the web process's peak RSS (`VmHWM`), and the recall@10 of the
`sentence_embedding` vector index against exact brute-force cosine (numpy over the vectors
the generator wrote, spot-checked against the database) for a few hundred real MiniLM query
vectors, asking the index for 10 and for 200 candidates (what search asks for).

The first `--warm-requests` requests per endpoint after the start are reported apart ("just
after start"): a new Neo4j reads its store into an empty page cache, and for the first minutes
its JVM is still compiling hot code, which took the CPU from the queries (docs/benchmarks.md).

Baselines in the same run: the same latency phases (1 client) over a small synthetic graph
(`--baseline-dir`, `--baseline-excerpts`, default 3,000; `--no-baseline` skips it), and numpy brute force
time per query next to the index's.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from spreadgraph.search.retrieval import DEPTH, INDEX_FACTOR, RESCORE_FACTOR

from bench.latency_queries import FILTERS, query_texts
from bench.synthetic import scale_graph
from spreadgraph.cli.serve import WARM_MESSAGE

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"search": 150.0, "what-worked": 400.0}
WARM_UP_TIMEOUT = 900  # seconds for `serve`'s warm-up (~2-4 minutes at 100,000 excerpts)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    from bench.scratch import free_port as port

    return port()


class WebServer:
    """`spreadgraph serve` in a child process on 127.0.0.1 (environment: the scratch server's)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.lines: list[str] = []  # the server's log (stderr), read as it comes
        self.warm = threading.Event()  # set when the server says its warm-up is done

    def __enter__(self) -> WebServer:
        cmd = [str(ROOT / ".venv/bin/spreadgraph"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_parent
        )
        threading.Thread(target=self._read_log, daemon=True).start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/search?q=", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                time.sleep(0.5)
                raise SystemExit(f"web server exited: {''.join(self.lines)[-2000:]}")
            time.sleep(0.5)
        else:
            raise SystemExit("web server did not answer within 120 s")
        # the server runs its statements in the background (spreadgraph serve's warm-up): wait,
        # so that no timed request competes with it
        if not self.warm.wait(timeout=WARM_UP_TIMEOUT):
            raise SystemExit(f"the server's warm-up did not finish: {''.join(self.lines)[-2000:]}")
        return self

    def _read_log(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            self.lines.append(line)
            if WARM_MESSAGE in line:
                self.warm.set()

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def peak_rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def timed_requests(base: str, path: str, params: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    """Send every request (`clients` at a time); latency of each in ms, plus errors."""

    def one(client: httpx.Client, p: dict[str, Any]) -> tuple[float, int]:
        started = time.perf_counter()
        r = client.get(base + path, params=p)
        return (time.perf_counter() - started) * 1000, r.status_code

    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=clients)) as client:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(lambda p: one(client, p), params))
        wall = time.perf_counter() - started
    ms = [r[0] for r in results]
    plain = [r[0] for r, p in zip(results, params, strict=True) if set(p) <= {"q", "limit"}]
    filtered = [r[0] for r, p in zip(results, params, strict=True) if not set(p) <= {"q", "limit"}]
    return {
        "requests": len(ms),
        "errors": sum(1 for r in results if r[1] != 200),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
        "throughput_rps": round(len(ms) / wall, 2),
        # the same requests split: without filters, and with one or two filters
        "no_filter_p50_ms": round(statistics.median(plain), 1) if plain else None,
        "no_filter_p95_ms": round(percentile(plain, 95), 1) if plain else None,
        "filtered_p50_ms": round(statistics.median(filtered), 1) if filtered else None,
        "filtered_p95_ms": round(percentile(filtered, 95), 1) if filtered else None,
    }


def request_params(texts: list[str], rng: random.Random, limit: int | None) -> list[dict[str, Any]]:
    """Half with no filter, half with one or two filters."""
    out = []
    for i, text in enumerate(texts):
        p: dict[str, Any] = {"q": text}
        if limit:
            p["limit"] = limit
        if i % 2:
            for f in rng.sample(FILTERS, rng.choice((1, 1, 2))):
                p.update(f)
        out.append(p)
    return out


def latency_phases(
    base: str, n: int, clients_list: tuple[int, ...], log: Callable[[str], None], warm: int = 0
) -> dict:
    """Timed requests per endpoint and concurrency, after `warm` requests per endpoint.

    The warm-up requests (new texts, the same filter mix) are timed too and reported under
    "after start": a new Neo4j has an empty page cache (Community Edition cannot pre-load it)
    and a JVM still compiling hot code. That is a start-up cost, not the steady-state latency
    the targets are about.
    """
    rng = random.Random(11)
    texts = iter(query_texts(rng))
    first = [next(texts) for _ in range(8)]
    # one case filter and one source filter, with values the timed requests never use: the
    # statement shapes with filters get planned and the case facets read (search/facets.py)
    shapes = ({}, {"setting": "warm-up only"}, {"source_type": "warm-up only"})
    for i, text in enumerate(first):
        for path in ("/api/search", "/api/what-worked"):
            httpx.get(base + path, params={"q": text, **shapes[i % 3]}, timeout=120)
    out: dict[str, Any] = {}
    endpoints = (("search", "/api/search", 10), ("what-worked", "/api/what-worked", None))
    if warm:
        for endpoint, path, limit in endpoints:
            batch = [next(texts) for _ in range(warm)]
            figures = timed_requests(base, path, request_params(batch, rng, limit), 1)
            out[f"{endpoint} after start"] = figures
            log(f"  {endpoint}, first {warm} requests after start: {figures}")
    for endpoint, path, limit in endpoints:
        count = n if endpoint == "search" else max(n // 2, 10)
        for clients in clients_list:
            batch = [next(texts) for _ in range(count * (1 if clients == 1 else 2))]
            figures = timed_requests(base, path, request_params(batch, rng, limit), clients)
            out[f"{endpoint} x{clients}"] = figures
            log(f"  {endpoint} with {clients} client(s): {figures}")
    return out


def recall(driver: Any, graph_dir: Path, n_queries: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Vector index vs exact cosine (numpy) over the same sentence vectors."""
    from spreadgraph.search.embedder import Embedder

    from spreadgraph.config import get_settings

    vectors = np.load(graph_dir / "sentence_vectors.npy")
    ids = json.loads((graph_dir / "sentence_ids.json").read_text())
    rng = random.Random(5)
    sample = rng.sample(range(len(ids)), 200)
    rows, _, _ = driver.execute_query(
        "UNWIND $ids AS id MATCH (u:Sentence {id: id}) RETURN u.id AS id, u.embedding AS v",
        ids=[ids[i] for i in sample],
    )
    stored = {r["id"]: np.asarray(r["v"], dtype=np.float32) for r in rows}
    drift = max(float(np.abs(stored[ids[i]] - vectors[i]).max()) for i in sample)
    if len(stored) != len(sample) or drift > 1e-5:
        raise SystemExit(f"stored vectors differ from {graph_dir}/sentence_vectors.npy (max diff {drift})")
    texts = query_texts(random.Random(23))[:n_queries]
    queries = np.asarray(Embedder(get_settings().embedding_model).encode(texts), dtype=np.float32)
    started = time.perf_counter()
    exact = [np.argsort(-(vectors @ q))[:10] for q in queries]
    brute_ms = (time.perf_counter() - started) * 1000 / len(queries)
    out: dict[str, Any] = {
        "queries": len(queries),
        "vectors": len(ids),
        "brute_force_ms_per_query": round(brute_ms, 2),
    }
    index = "CALL db.index.vector.queryNodes('sentence_embedding', $k, $v) YIELD node, score "
    # what search does (search/statements.py): the best `rescore` hits by the index's score, re-scored
    rescored = (
        "WITH node ORDER BY score DESC LIMIT $rescore "
        "WITH node, vector.similarity.cosine(node.embedding, $v) AS score "
    )
    search_k = max(DEPTH * INDEX_FACTOR, 400)
    for k, how in ((10, ""), (200, ""), (search_k, ""), (200, "rescored"), (search_k, "rescored")):
        statement = index + (rescored if how else "") + "RETURN node.id AS id ORDER BY score DESC LIMIT 10"
        hits, spent = 0, 0.0
        for q, truth in zip(queries, exact, strict=True):
            started = time.perf_counter()
            rows, _, _ = driver.execute_query(statement, k=k, v=q.tolist(), rescore=DEPTH * RESCORE_FACTOR)
            spent += time.perf_counter() - started
            found = {r["id"] for r in rows}
            hits += sum(1 for i in truth if ids[i] in found)
        key = f"k={k}{f', {how} best {DEPTH * RESCORE_FACTOR}' if how else ''}"
        out[f"recall@10 ({key})"] = round(hits / (10 * len(queries)), 4)
        out[f"index_ms_per_query ({key})"] = round(spent * 1000 / len(queries), 2)
        log(f"  recall@10 ({key}): {out[f'recall@10 ({key})']}")
    return out


def phases(driver: Any, n: int, log: Callable[[str], None]) -> dict[str, Any]:
    """In-process `Searcher.search` phase times (median ms over `n` queries, half filtered)."""
    from spreadgraph.search.embedder import Embedder
    from spreadgraph.search.filters import SearchFilters
    from spreadgraph.search.retrieval import Searcher

    from spreadgraph.config import get_settings

    searcher = Searcher(driver, Embedder(get_settings().embedding_model))
    rng = random.Random(41)
    texts = query_texts(random.Random(43))
    searcher.search(texts[-1])
    seen: dict[str, list[float]] = {}
    for i, text in enumerate(texts[:n]):
        filters = SearchFilters(**rng.choice(FILTERS)) if i % 2 else SearchFilters()  # type: ignore[arg-type]
        searcher.search(text, filters=filters)
        for name, seconds in searcher.last_timings.items():
            seen.setdefault(name, []).append(seconds * 1000)
    out = {name: round(statistics.median(ms), 1) for name, ms in seen.items()}
    log(f"  phases (median ms): {out}")
    return out


def machine() -> dict[str, Any]:
    return {"nproc": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()]}


def run_graph(
    graph_dir: Path, excerpts: int, n: int, clients: tuple[int, ...], with_recall: int, log, warm: int = 0
) -> dict:
    result: dict[str, Any] = {"graph_dir": str(graph_dir), "excerpts": excerpts}
    with scale_graph(graph_dir, excerpts, log=log) as driver:
        result["counts"] = json.loads((graph_dir / "fingerprint.json").read_text())["counts"]
        result["machine_before"] = machine()
        with WebServer() as server:
            ready = next((line.strip() for line in server.lines if WARM_MESSAGE in line), "")
            log(f"web server on {server.base} over {graph_dir}: {ready}")
            result["latency"] = latency_phases(server.base, n, clients, log, warm)
            result["web_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
        result["machine_after"] = machine()
        if with_recall:
            result["phases_ms"] = phases(driver, 30, log)
            result["recall"] = recall(driver, graph_dir, with_recall, log)
    return result


def table(report: dict[str, Any]) -> str:
    lines = [
        "| graph | endpoint | clients | p50 ms | p95 ms | target p95 | p50 / p95 no filter | "
        "p50 / p95 filtered | rps | errors |",
        "|" + " --- |" * 10,
    ]
    for run in report["runs"]:
        for key, f in run["latency"].items():
            endpoint, _, clients = key.partition(" x")
            if endpoint.endswith(" after start"):
                endpoint, clients = endpoint.removesuffix(" after start"), "1, just after start"
            target = f"≤ {TARGETS[endpoint]:.0f}" if clients == "1" else ""
            lines.append(
                f"| {run['counts']['Excerpt']:,} excerpts | {endpoint} | {clients} | {f['p50_ms']} | "
                f"{f['p95_ms']} | {target} | {f['no_filter_p50_ms']} / {f['no_filter_p95_ms']} | "
                f"{f['filtered_p50_ms']} / {f['filtered_p95_ms']} | {f['throughput_rps']} | {f['errors']} |"
            )
    for run in report["runs"]:
        lines.append(
            f"\nweb process peak RSS ({run['counts']['Excerpt']:,} excerpts): {run['web_peak_rss_mb']} MB"
        )
        if "recall" in run:
            lines.append("search phases, in process (median ms): " + json.dumps(run["phases_ms"]))
            lines.append("recall: " + json.dumps(run["recall"]))
        lines.append(
            f"load average before/after: {run['machine_before']['loadavg']} / "
            f"{run['machine_after']['loadavg']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=Path("/tmp/sg-scale"))
    parser.add_argument("--excerpts", type=int, default=100_000)
    parser.add_argument(
        "--requests", type=int, default=60, help="single-client requests per endpoint (search)"
    )
    parser.add_argument(
        "--warm-requests",
        type=int,
        default=200,
        help="requests per endpoint after the server starts, reported apart from the timed ones",
    )
    parser.add_argument("--recall-queries", type=int, default=300)
    parser.add_argument("--baseline-excerpts", type=int, default=3000)
    parser.add_argument("--baseline-dir", type=Path, default=Path("/tmp/sg-scale-small"))
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--recall-only", action="store_true", help="only the index recall check")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.recall_only:
        with scale_graph(args.graph_dir, args.excerpts) as driver:
            found = {
                "machine": machine(),
                "recall": recall(driver, args.graph_dir, args.recall_queries, print),
            }
        print(json.dumps(found, indent=1))
        return 0
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    log = (lambda s: print(s, file=sys.stderr)) if args.json else print
    report: dict[str, Any] = {"machine": machine(), "runs": []}
    if not args.no_baseline:
        base = (args.baseline_dir, args.baseline_excerpts)
        report["runs"].append(run_graph(*base, args.requests // 2, (1,), 0, log, args.warm_requests))
    report["runs"].append(
        run_graph(
            args.graph_dir, args.excerpts, args.requests, (1, 8), args.recall_queries, log, args.warm_requests
        )
    )
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
