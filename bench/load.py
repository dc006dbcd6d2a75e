"""Load: concurrent clients over pages, search, what-worked and the console (operations issue, point 5a).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.load --graph-dir /tmp/sg-load-graph [--clients 8] \
        [--seconds 300] [--json]

Builds (or reuses) the graph `make run` builds (bench/system_graph.py, the ``make-run`` mode),
starts a real `spreadgraph serve` on 127.0.0.1 (bench/search_latency.py's WebServer) and runs
`--clients` closed-loop clients (each sends its next request as soon as the last one answered, no
think time) for `--seconds`. Each request is drawn from a weighted mix (:data:`MIX`) of

- HTML pages: home, search, what-worked, overview (the CFIR bars and the evidence map), schema,
  case, barrier, approach, innovation, source and graph-view pages for sampled nodes;
- their JSON twins (`/cases/ID.json`, `/.json`) and the JSON API (`/api/search`, with and
  without filters, `/api/what-worked`);
- the Cypher console: `GET /cypher?canned=...` (HTML) and `POST /api/cypher` (every canned query
  with its defaults, and a plain read), as an analyst (the console needs one; the account and
  its API token are made with the same functions as `spreadgraph user add` / `user token`).
  The other requests are anonymous, as a member of staff reading the site.

Queries are staff questions (bench/staff_questions.json, the questions only) and the latency
benchmarks' invented queries (bench/latency_queries.py). Per endpoint it reports requests,
errors (a status >= 400, or no answer: timeout, connection error), p50, p95 and max; and the
total throughput. The load average is sampled every 15 s during the run.

The rate limiter (webui/ratelimit.py) counts failed sign-ins only; the clients never sign in
(the console uses a bearer token), so it never answers here and needs no setting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from bench.latency_queries import FILTERS, query_texts
from bench.page_latency import sample_ids
from bench.search_latency import WebServer, machine, percentile
from bench.staff_questions import load_questions
from bench.system_graph import bench_graph, graph_summary

READ_QUERY = (
    "MATCH (c:Case {status: 'published'})-[:DESCRIBED_IN]->(s:Source) "
    "RETURN c.title AS case, s.title AS source ORDER BY case LIMIT 25"
)
#: endpoint -> weight (share of requests). Search and what-worked dominate, as for staff.
MIX: dict[str, int] = {
    "GET / (html)": 4,
    "GET /.json": 1,
    "GET /search (html)": 10,
    "GET /api/search": 8,
    "GET /api/search (filtered)": 4,
    "GET /what-worked (html)": 6,
    "GET /api/what-worked": 4,
    "GET /overview (html)": 3,
    "GET /schema (html)": 1,
    "GET /cases/{id} (html)": 8,
    "GET /cases/{id}.json": 2,
    "GET /barriers/{id} (html)": 4,
    "GET /approaches/{id} (html)": 4,
    "GET /innovations/{id} (html)": 2,
    "GET /sources/{id} (html)": 2,
    "GET /graph/cases/{id} (html)": 2,
    "GET /cypher?canned= (html)": 3,
    "POST /api/cypher (canned)": 4,
    "POST /api/cypher (read)": 2,
}
HTML = {"accept": "text/html"}


@dataclass
class Request:
    endpoint: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def analyst_token(name: str = "bench-load-analyst") -> str:
    """An analyst's API token, in the accounts file of the server this process points at."""
    from spreadgraph.webui import auth

    if name not in auth.load_accounts():
        auth.add_user(name, "analyst", "bench-" + os.urandom(8).hex())
    return auth.new_token(name)


@contextmanager
def revoked_after(token: str, name: str = "bench-load-analyst") -> Iterator[None]:
    """Revoke the run's API token when the run ends (the account stays, its tokens do not pile up)."""
    from spreadgraph.webui import auth

    try:
        yield
    finally:
        auth.revoke_tokens(name, only=auth.token_id(token))


def request_maker(ids: dict[str, list[str]], token: str, seed: int) -> Callable[[random.Random], Request]:
    """A function that draws the next request of the mix (staff and invented queries, sampled ids)."""
    from spreadgraph.webui.canned import canned_queries

    texts = [q.query for q in load_questions()] + query_texts(random.Random(seed), 600)
    canned = list(canned_queries().values())
    console = {"authorization": f"Bearer {token}"}

    def one(rng: random.Random, kind: str) -> str:
        return quote(rng.choice(ids[kind]), safe=":")

    pages: dict[str, Callable[[random.Random, str], str]] = {
        "GET / (html)": lambda rng, q: "/",
        "GET /.json": lambda rng, q: "/.json",
        "GET /search (html)": lambda rng, q: f"/search?{q}",
        "GET /api/search": lambda rng, q: f"/api/search?{q}",
        "GET /api/search (filtered)": lambda rng, q: f"/api/search?{q}&{urlencode(rng.choice(FILTERS))}",
        "GET /what-worked (html)": lambda rng, q: f"/what-worked?{q}",
        "GET /api/what-worked": lambda rng, q: f"/api/what-worked?{q}",
        "GET /overview (html)": lambda rng, q: "/overview",
        "GET /schema (html)": lambda rng, q: "/schema",
        "GET /cases/{id} (html)": lambda rng, q: "/cases/" + one(rng, "cases"),
        "GET /cases/{id}.json": lambda rng, q: "/cases/" + one(rng, "cases") + ".json",
        "GET /barriers/{id} (html)": lambda rng, q: "/barriers/" + one(rng, "barriers"),
        "GET /approaches/{id} (html)": lambda rng, q: "/approaches/" + one(rng, "approaches"),
        "GET /innovations/{id} (html)": lambda rng, q: "/innovations/" + one(rng, "innovations"),
        "GET /sources/{id} (html)": lambda rng, q: "/sources/" + one(rng, "sources"),
        "GET /graph/cases/{id} (html)": lambda rng, q: "/graph/cases/" + one(rng, "cases"),
    }

    def draw(rng: random.Random) -> Request:
        endpoint = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        q = urlencode({"q": rng.choice(texts)})
        page = pages[endpoint](rng, q) if endpoint in pages else None
        if page is not None:
            return Request(endpoint, "GET", page, {} if "json" in endpoint or "/api/" in page else HTML)
        chosen = rng.choice(canned)
        if endpoint == "GET /cypher?canned= (html)":
            return Request(endpoint, "GET", f"/cypher?canned={chosen.name}", HTML | console)
        if endpoint == "POST /api/cypher (canned)":
            return Request(
                endpoint,
                "POST",
                "/api/cypher",
                console,
                {"query": chosen.cypher, "params": chosen.values({})},
            )
        return Request(endpoint, "POST", "/api/cypher", console, {"query": READ_QUERY, "params": {}})

    return draw


@dataclass
class Outcome:
    endpoint: str
    ms: float
    status: int  # 0: no answer (timeout, connection error)
    detail: str = ""


def send(client: httpx.Client, req: Request) -> Outcome:
    started = time.perf_counter()
    try:
        r = client.request(req.method, req.url, headers=req.headers, json=req.body)
    except httpx.HTTPError as exc:
        return Outcome(
            req.endpoint, (time.perf_counter() - started) * 1000, 0, f"{type(exc).__name__}: {exc}"
        )
    ms = (time.perf_counter() - started) * 1000
    detail = (
        f"{req.method} {req.url[:120]} -> {r.status_code}: {r.text[:200]}" if r.status_code >= 400 else ""
    )
    return Outcome(req.endpoint, ms, r.status_code, detail)


PAGES = {
    "cases": "/cases/",
    "barriers": "/barriers/",
    "approaches": "/approaches/",
    "innovations": "/innovations/",
    "sources": "/sources/",
}


def visible_ids(base: str, ids: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The sampled ids whose page answers (an item only suggested claims use, for example, has no
    page: 404, as for a visitor); and how many were dropped per kind."""
    kept: dict[str, list[str]] = {}
    with httpx.Client(base_url=base, timeout=120) as client:
        for kind, values in ids.items():
            kept[kind] = [
                i for i in values if client.get(PAGES[kind] + quote(i, safe=":")).status_code == 200
            ]
            if not kept[kind]:
                raise SystemExit(f"no sampled {kind} page answers: {values[:3]}")
    return kept, {kind: len(ids[kind]) - len(kept[kind]) for kind in ids}


def probe(base: str, draw: Callable[[random.Random], Request]) -> None:
    """One request of every endpoint first: a route that fails before any load is a set-up fault."""
    rng, seen, bad = random.Random(1), set(), []
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(5000):
            req = draw(rng)
            if req.endpoint in seen:
                continue
            seen.add(req.endpoint)
            out = send(client, req)
            if out.status == 0 or out.status >= 400:
                bad.append(out.detail)
            if len(seen) == len(MIX):
                break
    if bad:
        raise SystemExit("endpoints fail before any load:\n" + "\n".join(bad))


def run_load(
    base: str, draw: Callable[[random.Random], Request], clients: int, seconds: float, log
) -> dict[str, Any]:
    """`clients` threads, each with its own connection, sending requests until `seconds` pass."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    loads: list[list[float]] = []

    def client_loop(n: int) -> None:
        rng = random.Random(1000 + n)
        mine: list[Outcome] = []
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < stop:
                mine.append(send(client, draw(rng)))
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    while (left := stop - time.monotonic()) > 0:
        loads.append([round(x, 2) for x in os.getloadavg()])
        log(f"  t={time.perf_counter() - started:.0f} s load average {loads[-1]}")
        time.sleep(min(15.0, left))
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 1), "outcomes": outcomes, "loadavg_samples": loads}


def summarise(outcomes: list[Outcome], wall: float) -> dict[str, Any]:
    by: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by.setdefault(o.endpoint, []).append(o)
    endpoints = {}
    for name in MIX:
        got = by.get(name, [])
        if not got:
            continue
        ms = [o.ms for o in got]
        failed = [o for o in got if o.status == 0 or o.status >= 400]
        endpoints[name] = {
            "requests": len(got),
            "errors": len(failed),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "max_ms": round(max(ms), 1),
            "error_samples": [o.detail for o in failed[:3]],
        }
    errors = sum(e["errors"] for e in endpoints.values())
    return {
        "requests": len(outcomes),
        "errors": errors,
        "throughput_rps": round(len(outcomes) / wall, 2),
        "p95_ms_all": round(percentile([o.ms for o in outcomes], 95), 1) if outcomes else None,
        "endpoints": endpoints,
    }


def table(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [
        f"graph: {report['graph']}",
        f"{report['clients']} clients for {report['wall_s']} s: {s['requests']} requests, "
        f"{s['throughput_rps']} req/s, {s['errors']} errors, p95 over all {s['p95_ms_all']} ms",
        "",
        "| endpoint | requests | errors | p50 ms | p95 ms | max ms |",
        "|" + " --- |" * 6,
    ]
    for name, f in s["endpoints"].items():
        lines.append(
            f"| {name} | {f['requests']} | {f['errors']} | {f['p50_ms']} | {f['p95_ms']} | {f['max_ms']} |"
        )
    for name, f in s["endpoints"].items():
        lines += [f"error {name}: {d}" for d in f["error_samples"]]
    lines.append(f"server log lines with an error or traceback: {len(report['server_errors'])}")
    lines += [f"  {line}" for line in report["server_errors"][:10]]
    lines.append(
        f"load average before / during (max 1-min) / after: {report['machine_before']['loadavg']} / "
        f"{report['loadavg_max_1min']} / {report['machine_after']['loadavg']} on {os.cpu_count()} cores"
    )
    lines.append(f"sampled ids without a page (404 for anyone, left out): {report['ids_without_page']}")
    lines.append(f"web server peak RSS {report['web_peak_rss_mb']} MB")
    return "\n".join(lines)


def server_errors(lines: list[str]) -> list[str]:
    """Log lines of the web server that report a failure (uvicorn prints 5xx access lines too)."""
    marks = ("Traceback", "ERROR", "Exception", " 500 ", " 502 ", " 503 ", " 504 ")
    return [line.rstrip() for line in lines if any(m in line for m in marks)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=Path("/tmp/sg-load-graph"))
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--per-page", type=int, default=30, help="sampled nodes per page kind")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda s: print(s, file=sys.stderr, flush=True)) if args.json else (lambda s: print(s, flush=True))
    report: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds}
    with bench_graph(args.graph_dir, args.corpus, log=log) as driver:
        report["graph"] = graph_summary(driver)
        rows, _, _ = driver.execute_query(
            "CALL { MATCH (n) RETURN count(n) AS nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS rels } "
            "RETURN nodes, rels"
        )
        report["graph"] |= {"nodes": rows[0]["nodes"], "relationships": rows[0]["rels"]}
        sampled = sample_ids(driver, args.per_page)
        token = analyst_token()
        with WebServer() as server, revoked_after(token):
            ids, report["ids_without_page"] = visible_ids(server.base, sampled)
            log(f"web server on {server.base}; sampled ids without a page: {report['ids_without_page']}")
            draw = request_maker(ids, token, args.seed)
            probe(server.base, draw)
            report["machine_before"] = machine()
            log(f"{args.clients} clients for {args.seconds:.0f} s ...")
            run = run_load(server.base, draw, args.clients, args.seconds, log)
            report["machine_after"] = machine()
            report["web_peak_rss_mb"] = round(server.peak_rss_mb(), 1)
            report["server_errors"] = server_errors(server.lines)
    report["wall_s"] = run["wall_s"]
    report["loadavg_samples"] = run["loadavg_samples"]
    report["loadavg_max_1min"] = max((s[0] for s in run["loadavg_samples"]), default=None)
    report["summary"] = summarise(run["outcomes"], run["wall_s"])
    print(json.dumps(report, indent=1) if args.json else table(report))
    return 1 if report["summary"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
