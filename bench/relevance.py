"""Relevance benchmark: score several retrievers on the dev queries in one run.

Run from the repository root (offline)::

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.relevance            # table
    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.relevance --json     # machine-readable
    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.relevance --per-query

Retrievers implemented here are the *naive floor* of issue 5: every corpus file split into
blank-line paragraphs; BM25 (rank_bm25 ``BM25Okapi``) over them, the packaged MiniLM over
them (exact cosine), and the two fused by reciprocal rank fusion with k = 60. Paragraph
embeddings are computed once per run, in memory. Scoring is :mod:`bench.scoring`.

The spreadgraph system retrievers (vector-only, full-text-only and hybrid over the Neo4j graph)
plug in at :func:`system_retrievers` (see the HOOK there).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from bench.scoring import DEFAULT_K, Scores, aggregate, first_hit_rank

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_QUERIES = SHARED / "eval" / "dev_queries.json"
DEFAULT_CORPUS = SHARED / "corpus"
RRF_K = 60
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_TOKEN = re.compile(r"\w+")
#: A short list of English function words, dropped by the floor's BM25 tokeniser.
_STOPWORD_TEXT = (
    "a an the of to in and or for on with at by from is are was were be been being it its this that "
    "these those as their they them we our you your i he she his her not no do does did how what which "
    "who whom why when where should can could would will than then there here into about over under "
    "after before more most other some such only own same so too very s t just don"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


# --------------------------------------------------------------------------------------------
# The contract every retriever meets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One ranked result: where it comes from and the evidence text shown to the user."""

    file: str
    text: str
    score: float = 0.0
    start: int | None = None
    end: int | None = None


@runtime_checkable
class Retriever(Protocol):
    """Anything with a display name that turns a query into ranked results."""

    name: str

    def search(self, query: str, k: int) -> list[Result]:
        """The best ``k`` results for ``query``, best first."""
        ...


@dataclass(frozen=True)
class Passage:
    """A span of a corpus file used as a retrieval unit."""

    file: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Query:
    """A dev/held-out query with its expected file and gold snippets."""

    id: str
    query: str
    file: str
    gold: tuple[str, ...]


def load_queries(path: Path) -> list[Query]:
    """Queries from an eval JSON file (``{"queries": [{id, query, file, gold}, ...]}``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Query(q["id"], q["query"], q["file"], tuple(q["gold"])) for q in data["queries"]]


def proxy_queries(folder: Path) -> list[Query]:
    """The proxy set, built at run time from the extraction gold (never stored in the repo): each
    approach/barrier/enabler/outcome/lesson's `description` as the query, its `evidence_quote` as
    the gold, its document as the file. It shares more words with its gold than staff questions
    do (it flatters full text), so it guards against tuning to the 14 dev queries; not a target."""
    queries: list[Query] = []
    for path in sorted(folder.glob("*.json")):
        for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            for case in doc["cases"]:
                for kind in ("approaches", "barriers", "enablers", "outcomes", "lessons"):
                    for item in case.get(kind, []):
                        if item.get("description") and item.get("evidence_quote"):
                            gold = (item["evidence_quote"],)
                            queries.append(Query(f"P{len(queries)}", item["description"], doc["file"], gold))
    return queries


def corpus_files(folder: Path) -> list[Path]:
    """The corpus documents (``*.txt``) of a folder, in name order."""
    return sorted(p for p in folder.glob("*.txt") if p.is_file())


def split_paragraphs(name: str, text: str) -> list[Passage]:
    """Blank-line paragraphs of one file with their character spans (empty ones dropped)."""
    passages: list[Passage] = []
    position = 0
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            offset = position + chunk.index(stripped[0])
            passages.append(Passage(name, offset, offset + len(stripped), stripped))
        if match:
            position = match.end()
    return passages


def load_paragraphs(folder: Path) -> list[Passage]:
    """Every corpus file split into blank-line paragraphs."""
    passages: list[Passage] = []
    for path in corpus_files(folder):
        passages.extend(split_paragraphs(path.name, path.read_text(encoding="utf-8")))
    return passages


# --------------------------------------------------------------------------------------------
# The naive floor
# --------------------------------------------------------------------------------------------


def floor_tokens(text: str) -> list[str]:
    """The floor's BM25 tokens: lower-cased ``\\w+`` runs minus :data:`STOPWORDS` (no stemming)."""
    return [token for token in _TOKEN.findall(text.lower()) if token not in STOPWORDS]


def _result(passage: Passage, score: float) -> Result:
    return Result(passage.file, passage.text, float(score), passage.start, passage.end)


class BM25Retriever:
    """rank_bm25 ``BM25Okapi`` over passages."""

    def __init__(
        self,
        passages: Sequence[Passage],
        name: str = "floor: BM25",
        tokenize: Callable[[str], list[str]] = floor_tokens,
        k1: float = 1.5,
        b: float = 0.75,
    ) -> None:
        from rank_bm25 import BM25Okapi

        self.name = name
        self.passages = list(passages)
        self.tokenize = tokenize
        self.index = BM25Okapi([tokenize(p.text) for p in self.passages], k1=k1, b=b)

    def scores(self, query: str) -> list[float]:
        """BM25 score of every passage for ``query``."""
        return [float(s) for s in self.index.get_scores(self.tokenize(query))]

    def search(self, query: str, k: int) -> list[Result]:
        scores = self.scores(query)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [_result(self.passages[i], scores[i]) for i in order]


class VectorRetriever:
    """Exact cosine search over passage embeddings (encoded once, kept in memory)."""

    def __init__(
        self,
        passages: Sequence[Passage],
        encode: Callable[[list[str]], list[list[float]]],
        name: str = "floor: vectors",
    ) -> None:
        import numpy as np

        self.name = name
        self.passages = list(passages)
        self.encode = encode
        self.matrix = np.asarray(encode([p.text for p in self.passages]), dtype="float32")

    def scores(self, query: str) -> list[float]:
        """Cosine similarity of every passage to ``query`` (vectors are unit length)."""
        import numpy as np

        vector = np.asarray(self.encode([query])[0], dtype="float32")
        return (self.matrix @ vector).tolist()

    def search(self, query: str, k: int) -> list[Result]:
        scores = self.scores(query)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
        return [_result(self.passages[i], scores[i]) for i in order]


def rrf(
    rankings: Sequence[Sequence[int]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> dict[int, float]:
    """Reciprocal rank fusion: sum over rankings of ``weight / (k + rank)``, rank from 1."""
    fused: dict[int, float] = {}
    for index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[index]
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


class FusedRetriever:
    """RRF of BM25 and vector rankings of the same passages (each ranked in full)."""

    def __init__(
        self,
        bm25: BM25Retriever,
        vectors: VectorRetriever,
        name: str = "floor: fused (RRF 60)",
        k: int = RRF_K,
        depth: int | None = None,
    ) -> None:
        if bm25.passages != vectors.passages:
            raise ValueError("both retrievers must rank the same passages")
        self.name = name
        self.bm25 = bm25
        self.vectors = vectors
        self.k = k
        self.depth = depth

    def search(self, query: str, k: int) -> list[Result]:
        rankings = []
        for scores in (self.bm25.scores(query), self.vectors.scores(query)):
            order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
            rankings.append(order[: self.depth] if self.depth else order)
        fused = rrf(rankings, self.k)
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [_result(self.bm25.passages[i], fused[i]) for i in best]


def floor_retrievers(corpus: Path, model: str) -> tuple[list[Retriever], dict[str, float]]:
    """The naive floor (BM25, vectors, fused) and the seconds spent building it."""
    from spreadgraph.search.embedder import Embedder

    timings: dict[str, float] = {}
    started = time.perf_counter()
    passages = load_paragraphs(corpus)
    bm25 = BM25Retriever(passages)
    timings["floor: split + BM25 index"] = time.perf_counter() - started
    started = time.perf_counter()
    embedder = Embedder(model)
    vectors = VectorRetriever(passages, embedder.encode)
    timings[f"floor: encode {len(passages)} paragraphs"] = time.perf_counter() - started
    return [bm25, vectors, FusedRetriever(bm25, vectors)], timings


# --------------------------------------------------------------------------------------------
# HOOK: spreadgraph system retrievers
# --------------------------------------------------------------------------------------------


class SystemRetriever:
    """One spreadgraph retrieval mode over the bench graph, excerpt results only.

    Results are the production `Searcher.search(..., kinds=("excerpt",), mode=...)` (filters at
    their defaults: published only), mapped to the bench's `Result` (file = the Source's file
    name, text = the evidence window, span = the window's span).
    """

    def __init__(self, searcher: object, mode: str, name: str) -> None:
        self.searcher = searcher
        self.mode = mode
        self.name = name

    def search(self, query: str, k: int) -> list[Result]:
        response = self.searcher.search(query, limit=k, kinds=("excerpt",), mode=self.mode)
        return [
            Result(r.source.file_name or r.source.id, r.text or "", r.score, r.source.start, r.source.end)
            for r in response.results
            if r.source is not None
        ]


def system_retrievers(args: argparse.Namespace, stack: ExitStack | None = None) -> list[Retriever]:
    """The spreadgraph retrievers (vector-only, full-text-only, hybrid) over a Neo4j graph.

    The graph is built by :mod:`bench.system_graph` (a throw-away local Neo4j holding the shared
    corpus and the demo templates, ingested with the project's own ingest path, plus the search
    units); `--graph-dir` keeps and reuses it. Enabled with ``--system``.
    """
    if not args.system:
        return []
    from spreadgraph.search.embedder import Embedder
    from spreadgraph.search.retrieval import Searcher

    from bench.system_graph import bench_graph

    assert stack is not None, "system retrievers need an ExitStack that outlives the evaluation"
    driver = stack.enter_context(bench_graph(args.graph_dir, args.corpus, log=_log))
    searcher = Searcher(driver, embedder=Embedder(args.model))
    return [
        SystemRetriever(searcher, "vector", "spreadgraph: vector"),
        SystemRetriever(searcher, "fulltext", "spreadgraph: full-text"),
        SystemRetriever(searcher, "hybrid", "spreadgraph: hybrid"),
    ]


def _log(message: str) -> None:
    print(message, file=sys.stderr)


# --------------------------------------------------------------------------------------------
# Running and reporting
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One retriever's scores and how long its queries took."""

    name: str
    scores: Scores
    seconds: float


def evaluate(retriever: Retriever, queries: Sequence[Query], k: int = DEFAULT_K) -> Outcome:
    """Run every query through ``retriever`` and score the top ``k``."""
    started = time.perf_counter()
    ranks: dict[str, int | None] = {}
    for query in queries:
        results = retriever.search(query.query, k)
        ranks[query.id] = first_hit_rank([(r.file, r.text) for r in results], query.file, query.gold, k)
    return Outcome(retriever.name, aggregate(ranks, k), time.perf_counter() - started)


def table(outcomes: Sequence[Outcome], k: int) -> str:
    """A plain-text table of the metrics, one retriever per row."""
    width = max([len(o.name) for o in outcomes] + [9])
    lines = [f"{'retriever':<{width}}  hit@1  hit@{k}    MRR  queries  seconds"]
    for o in outcomes:
        s = o.scores
        lines.append(
            f"{o.name:<{width}}  {s.hit_at_1:5.2f}  {s.hit_at_k:5.2f}  {s.mrr:5.2f}  {s.n:7d}  "
            f"{o.seconds:7.2f}"
        )
    return "\n".join(lines)


def per_query_table(outcomes: Sequence[Outcome], queries: Sequence[Query]) -> str:
    """First-hit rank of every query per retriever ('-' = not in the top k)."""
    lines = ["query  " + "  ".join(o.name for o in outcomes)]
    for q in queries:
        cells = []
        for o in outcomes:
            rank = o.scores.ranks.get(q.id)
            cells.append(f"{rank if rank else '-':>{len(o.name)}}")
        lines.append(f"{q.id:<5}  " + "  ".join(cells))
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("-k", type=int, default=DEFAULT_K, help="cut-off for hit@k and MRR (default 5)")
    parser.add_argument("--model", default=os.environ.get("SPREADGRAPH_EMBEDDING_MODEL", "all-MiniLM-L6-v2"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--per-query", action="store_true", help="also print each query's first-hit rank")
    parser.add_argument("--no-floor", action="store_true", help="skip the naive paragraph floor")
    parser.add_argument(
        "--proxy", action="store_true", help="also score the proxy set (from the extraction gold)"
    )
    parser.add_argument("--system", action="store_true", help="also run the spreadgraph retrievers (HOOK)")
    parser.add_argument(
        "--graph-dir", type=Path, default=None, help="keep the system graph here and reuse it on the next run"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = parse_args(argv)
    started = time.perf_counter()
    queries = load_queries(args.queries)
    retrievers: list[Retriever] = []
    timings: dict[str, float] = {}
    if not args.no_floor:
        floor, timings = floor_retrievers(args.corpus, args.model)
        retrievers.extend(floor)
    with ExitStack() as stack:
        started_system = time.perf_counter()
        system = system_retrievers(args, stack)
        if system:
            timings["spreadgraph: graph (build or reuse)"] = time.perf_counter() - started_system
        retrievers.extend(system)
        outcomes = [evaluate(r, queries, args.k) for r in retrievers]
        proxy = proxy_queries(args.queries.parent / "dev_extraction") if args.proxy else []
        proxied = [evaluate(r, proxy, args.k) for r in retrievers] if proxy else []
    total = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "queries": str(args.queries),
                    "k": args.k,
                    "model": args.model,
                    "results": {
                        o.name: {**o.scores.as_dict(), "query_seconds": round(o.seconds, 3)} for o in outcomes
                    },
                    "timings_s": {name: round(sec, 2) for name, sec in timings.items()},
                    "proxy": {o.name: o.scores.as_dict() for o in proxied},
                    "total_s": round(total, 2),
                },
                indent=2,
            )
        )
    else:
        print(f"{len(queries)} queries from {args.queries}, k = {args.k}, model {args.model}")
        print(table(outcomes, args.k))
        if args.per_query:
            print()
            print(per_query_table(outcomes, queries))
        if proxied:
            print(f"\nproxy set: {len(proxy)} queries from the extraction gold, k = {args.k}")
            print(table(proxied, args.k))
        for name, seconds in timings.items():
            print(f"{name}: {seconds:.1f} s")
        print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
