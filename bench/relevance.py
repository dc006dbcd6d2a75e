"""Relevance benchmark: score the search users get, the floor and a peer on the same questions.

Run from the repository root (offline)::

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.relevance --proxy --staff --graph-dir /tmp/sg-bench-run
    ... --json                  # machine-readable
    ... --per-query             # each query's first-hit rank per retriever
    ... --graph-mode fast       # the earlier graph (no extractor, every case published)
    ... --no-system             # floor only, no Neo4j

Query sets (all scored in one run): the 14 dev questions (``../shared/eval/dev_queries.json``);
``--proxy``, built at run time from the extraction gold (:func:`proxy_queries`); ``--staff``, the
frozen staff-language questions (bench/staff_questions.json, gold read from the corpus by
:mod:`bench.staff_questions`; skipped with the reason when the corpus is absent); ``--staff-other``,
the second frozen staff set, on the three documents the first does not cover
(bench/staff_questions_other_docs.json).

Retrievers:

* the *naive floor* of issue 5: every corpus file split into blank-line paragraphs; BM25
  (rank_bm25 ``BM25Okapi``), the packaged MiniLM (exact cosine) and the two fused by reciprocal
  rank fusion with k = 60 (the reference of the "vs floor" ratios);
* over the graph users get (bench/system_graph.py; by default built exactly as ``make run``
  builds it: demo templates, the corpus ingested with the extractor, the demo cases published),
  the production ``Searcher`` excerpt rankings (vector-only, full-text-only, hybrid), and the
  real web API through FastAPI's TestClient: ``/api/search`` with default parameters (every result
  kind: excerpts, cases, barriers, approaches) and ``/api/search?kind=excerpt``. How an API result
  is scored is in :func:`api_result`;
* the peer: neo4j-graphrag's ``HybridCypherRetriever`` over the project's own sentence vector and
  full-text indexes with the project's MiniLM as its embedder (:class:`PeerRetriever`). It is a
  benchmark-only dependency, *not* in requirements.lock: neo4j-graphrag 1.22.0 requires
  ``fsspec<2026.9.0`` and the lock pins ``fsspec==2026.9.0`` (pip: ResolutionImpossible), so the
  Makefile's wheelhouse install cannot hold it. Install it by hand to score the peer::

      .venv/bin/pip install neo4j-graphrag==1.22.0        # or: pip install -e '.[bench]'

  (that downgrades fsspec below the lock; ``pip install --no-deps neo4j-graphrag==1.22.0
  json-repair tenacity types-pyyaml`` keeps the lock's packages and works for this bench). Without
  it the peer is skipped and the report says why.

Scoring is :mod:`bench.scoring` (the README's 60%-in-order hit test, hit@1, hit@k, MRR); each
table also gives every retriever's MRR over the floor's and over the peer's (ratio, difference).
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
from pathlib import Path, PurePath
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
# The spreadgraph system retrievers, the web API and the peer
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


def api_result(item: dict, credit_section: bool = False) -> Result:
    """One `/api/search` result as the bench scores it.

    * evidence text = the result's ``text`` (the API's evidence: the best sentence window, of the
      excerpt itself or, for case / barrier / approach results, of the excerpts evidencing it);
      ``name`` and ``description`` are not evidence and are never scored; no text, no hit;
    * file = the base name of ``source.file_name`` (the document the evidence comes from); a
      result without a source, or whose source has no file (a case-template source), gets file
      ``""`` and cannot be a hit; a coded-export quote names the export (e.g.
      ``dev_coded_excerpts.csv``), not the report it was coded from, so it is not a hit either;
    * span = ``source.start`` / ``source.end``.
    Every result keeps its rank: a result that cannot be a hit still takes its place in the top k.

    ``credit_section`` (diagnostic only, ``--diagnose-api``): a coded-export result is credited
    to the document its ``section`` names (the importer keeps each row's source column there).
    """
    source = item.get("source") or {}
    file_name = source.get("file_name") or ""
    if credit_section and source.get("kind") == "coded_export" and item.get("section"):
        file_name = item["section"]
    return Result(
        PurePath(file_name).name if file_name else "",
        item.get("text") or "",
        float(item.get("score") or 0.0),
        source.get("start"),
        source.get("end"),
    )


class ApiRetriever:
    """`GET /api/search` of the real FastAPI app (`webui.app.create_app`), in process through
    Starlette's TestClient, against the bench graph; `params` are extra query parameters (none:
    the default ranking, every kind, default limit 10, hybrid, published only). Results map to
    `Result` by :func:`api_result`. Counts what it returned in the top k: per kind, without
    evidence text, and quoting a coded export."""

    def __init__(
        self, client: object, name: str, params: dict[str, str] | None = None, credit_section: bool = False
    ) -> None:
        self.client = client
        self.name = name
        self.params = dict(params or {})
        self.credit_section = credit_section
        self.counts: dict[str, int] = {}

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def search(self, query: str, k: int) -> list[Result]:
        response = self.client.get("/api/search", params={"q": query, **self.params})
        if response.status_code != 200:
            raise RuntimeError(f"/api/search answered {response.status_code}: {response.text[:300]}")
        items = response.json()["results"][:k]
        for item in items:
            source = item.get("source") or {}
            self._count(item["kind"])
            if not item.get("text"):
                self._count("no evidence text")
            elif source.get("kind") == "coded_export":
                self._count("coded-export quote")
            elif not source.get("file_name"):
                self._count("no source file")
        return [api_result(item, self.credit_section) for item in items]


#: The peer's retrieval query, appended to its hybrid index search (`node` is the hit `Sentence`
#: unit, `score` its naive-ranker score): the unit's sentence window (the same evidence text the
#: project's own excerpt results show) and the file of the source it comes from.
PEER_RETRIEVAL_QUERY = (
    "MATCH (node)-[:IN_EXCERPT]->(:Excerpt)-[:FROM]->(s:Source) "
    "RETURN node.id AS id, node.window AS text, s.file_name AS file, "
    "node.window_start AS start, node.window_end AS end, score"
)
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


def lucene_escape(text: str) -> str:
    """`text` with Lucene's query-syntax characters escaped (the peer passes it to Lucene as is)."""
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


def peer_embedder(encode: Callable[[list[str]], list[list[float]]]) -> object:
    """The project's MiniLM encoder as a `neo4j_graphrag.embeddings.Embedder`."""
    from neo4j_graphrag.embeddings.base import Embedder as GraphragEmbedder

    class MiniLMEmbedder(GraphragEmbedder):
        def embed_query(self, text: str) -> list[float]:
            return [float(x) for x in encode([text])[0]]

    return MiniLMEmbedder()


class PeerRetriever:
    """The peer: neo4j-graphrag's `HybridCypherRetriever` with its defaults (naive ranker: each
    index's scores divided by that list's best, union, top_k; effective_search_ratio 1) over the
    project's own `sentence_embedding` vector and `sentence_fulltext` full-text indexes, embedding
    the query with the project's MiniLM (wrapped by :func:`peer_embedder`). Two adaptations, both
    needed to run it at all: the query vector is computed from the raw text and passed in, and the
    text given to Lucene is escaped (:func:`lucene_escape`; unescaped, a '?' or '(' in a staff
    question is a parse error). No filters: it sees every unit, published or not."""

    name = "peer: neo4j-graphrag HybridCypher"

    def __init__(self, driver: object, embedder: object) -> None:
        from neo4j_graphrag.retrievers import HybridCypherRetriever

        self.embedder = embedder
        self.retriever = HybridCypherRetriever(
            driver, "sentence_embedding", "sentence_fulltext", PEER_RETRIEVAL_QUERY, embedder=embedder
        )

    def search(self, query: str, k: int) -> list[Result]:
        vector = self.embedder.embed_query(query)
        raw = self.retriever.get_search_results(query_text=lucene_escape(query), query_vector=vector, top_k=k)
        return [
            Result(r["file"] or "", r["text"] or "", float(r["score"]), r["start"], r["end"])
            for r in raw.records
        ]


def peer_import_problem() -> str | None:
    """Why the peer cannot run here (None when neo4j-graphrag imports)."""
    try:
        import neo4j_graphrag.retrievers  # noqa: F401
    except ImportError as exc:
        return (
            f"neo4j-graphrag is not installed ({exc}); `pip install neo4j-graphrag==1.22.0` "
            "(or the `bench` extra) to score the peer"
        )
    return None


def system_retrievers(
    args: argparse.Namespace, stack: ExitStack | None = None, notes: list[str] | None = None
) -> list[Retriever]:
    """The retrievers over the bench graph: the Searcher's vector-only, full-text-only and hybrid
    excerpt rankings (and hybrid with fixed RRF weights, search/lexical.py off), the web API's
    default `/api/search` ranking and its `kind=excerpt` ranking,
    and the peer (skipped, with the reason in `notes`, when neo4j-graphrag is absent).

    The graph is built by :mod:`bench.system_graph`, by default exactly as `make run` builds it
    (demo templates, the corpus ingested with the extractor, the demo cases published);
    `--graph-mode fast` is the benchmarks' earlier graph. `--graph-dir` keeps and reuses it.
    """
    if args.no_system:
        return []
    from fastapi.testclient import TestClient
    from spreadgraph.search.embedder import configured_embedder, search_model_name
    from spreadgraph.search.retrieval import Searcher

    from bench.system_graph import bench_graph, graph_summary

    assert stack is not None, "system retrievers need an ExitStack that outlives the evaluation"
    driver = stack.enter_context(bench_graph(args.graph_dir, args.corpus, log=_log, mode=args.graph_mode))
    if notes is not None:
        notes.append(f"graph ({args.graph_mode}): {graph_summary(driver)}")
    embedder = configured_embedder()  # the model the graph's search vectors were made with
    if notes is not None:
        notes.append(f"search model: {search_model_name()} (the floor: {args.model})")
    searcher = Searcher(driver, embedder=embedder)
    fixed = Searcher(driver, embedder=embedder, lexical_weighting=False)
    from spreadgraph.webui.app import create_app

    client = stack.enter_context(TestClient(create_app(allowed_hosts=("testserver",))))
    retrievers: list[Retriever] = [
        SystemRetriever(searcher, "vector", "spreadgraph: vector"),
        SystemRetriever(searcher, "fulltext", "spreadgraph: full-text"),
        SystemRetriever(searcher, "hybrid", "spreadgraph: hybrid"),
        SystemRetriever(fixed, "hybrid", "spreadgraph: hybrid, fixed weights"),
        ApiRetriever(client, "API: /api/search (default)"),
        ApiRetriever(client, "API: /api/search?kind=excerpt", {"kind": "excerpt"}),
    ]
    if args.diagnose_api:
        name = "diag: API default, coded quotes credited"
        retrievers.append(ApiRetriever(client, name, credit_section=True))
    problem = peer_import_problem()
    if problem:
        if notes is not None:
            notes.append(f"peer skipped: {problem}")
    else:
        retrievers.append(PeerRetriever(driver, peer_embedder(embedder.encode)))
    return retrievers


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


@dataclass(frozen=True)
class Comparison:
    """A retriever's MRR against a reference's: ratio (None when the reference scores 0) and difference."""

    reference: str
    ratio: float | None
    difference: float

    def as_dict(self) -> dict[str, object]:
        ratio = None if self.ratio is None else round(self.ratio, 3)
        return {"reference": self.reference, "mrr_ratio": ratio, "mrr_difference": round(self.difference, 3)}


def compare(outcome: Outcome, reference: Outcome | None) -> Comparison | None:
    """MRR ratio and difference of ``outcome`` against ``reference``."""
    if reference is None:
        return None
    base = reference.scores.mrr
    ratio = outcome.scores.mrr / base if base > 0 else None
    return Comparison(reference.name, ratio, outcome.scores.mrr - base)


def _cell(comparison: Comparison | None) -> str:
    if comparison is None:
        return f"{'-':>13}"
    ratio = "  n/a" if comparison.ratio is None else f"{comparison.ratio:5.2f}"
    return f"{ratio} ({comparison.difference:+.2f})"


def table(
    outcomes: Sequence[Outcome],
    k: int,
    floor: Outcome | None = None,
    peer: Outcome | None = None,
) -> str:
    """A plain-text table of the metrics, one retriever per row; with a floor and/or a peer, the
    MRR ratio and (difference) against each."""
    width = max([len(o.name) for o in outcomes] + [9])
    head = f"{'retriever':<{width}}  hit@1  hit@{k}    MRR  queries  seconds"
    if floor:
        head += "  MRR/floor (diff)"
    if peer:
        head += "  MRR/peer (diff)"
    lines = [head]
    for o in outcomes:
        s = o.scores
        line = f"{o.name:<{width}}  {s.hit_at_1:5.2f}  {s.hit_at_k:5.2f}  {s.mrr:5.2f}  {s.n:7d}"
        line += f"  {o.seconds:7.2f}"
        if floor:
            line += f"  {_cell(compare(o, floor)):>16}"
        if peer:
            line += f"  {_cell(compare(o, peer)):>15}"
        lines.append(line)
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


FLOOR_REFERENCE = "floor: fused (RRF 60)"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from bench.system_graph import DEFAULT_MODE, MODES

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
    parser.add_argument(
        "--staff", action="store_true", help="also score the frozen staff set (bench/staff_questions.json)"
    )
    parser.add_argument(
        "--staff-other",
        action="store_true",
        help="also score the second frozen staff set, on the other three documents "
        "(bench/staff_questions_other_docs.json; the selection set for paraphrase methods)",
    )
    parser.add_argument("--no-system", action="store_true", help="skip the graph (system, API and peer)")
    parser.add_argument(
        "--diagnose-api",
        action="store_true",
        help="also score the default API with coded-export quotes credited to their document",
    )
    parser.add_argument("--system", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument(
        "--graph-mode",
        choices=MODES,
        default=DEFAULT_MODE,
        help="how the graph is built (default make-run: what `make run` serves users)",
    )
    parser.add_argument(
        "--graph-dir", type=Path, default=None, help="keep the system graph here and reuse it on the next run"
    )
    parser.add_argument(
        "--floor-reference", default=FLOOR_REFERENCE, help=f"the floor ratios refer to ({FLOOR_REFERENCE})"
    )
    return parser.parse_args(argv)


def query_sets(args: argparse.Namespace, notes: list[str]) -> dict[str, list[Query]]:
    """The query sets of this run: dev always, proxy and staff when asked (skipped with a note
    when their data is absent)."""
    sets = {"dev": load_queries(args.queries)}
    if args.proxy:
        folder = args.queries.parent / "dev_extraction"
        if folder.is_dir():
            sets["proxy"] = proxy_queries(folder)
        else:
            notes.append(f"proxy set skipped: {folder} is absent")
    from bench.staff_questions import OTHER_DOCS_QUESTIONS, STAFF_QUESTIONS, StaffCorpusMissing, staff_queries

    for name, wanted, path in (
        ("staff", args.staff, STAFF_QUESTIONS),
        ("staff-other", args.staff_other, OTHER_DOCS_QUESTIONS),
    ):
        if wanted:
            try:
                sets[name] = staff_queries(args.corpus, path)
            except StaffCorpusMissing as reason:
                notes.append(f"{name} set skipped: {reason}")
    return sets


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = parse_args(argv)
    started = time.perf_counter()
    notes: list[str] = []
    sets = query_sets(args, notes)
    retrievers: list[Retriever] = []
    timings: dict[str, float] = {}
    if not args.no_floor:
        floor, timings = floor_retrievers(args.corpus, args.model)
        retrievers.extend(floor)
    results: dict[str, list[Outcome]] = {}
    with ExitStack() as stack:
        started_system = time.perf_counter()
        system = system_retrievers(args, stack, notes)
        if system:
            timings["spreadgraph: graph (build or reuse)"] = time.perf_counter() - started_system
        retrievers.extend(system)
        for name, queries in sets.items():
            results[name] = [evaluate(r, queries, args.k) for r in retrievers]
    api_kinds = {r.name: dict(r.counts) for r in retrievers if isinstance(r, ApiRetriever)}
    total = time.perf_counter() - started

    def reference(outcomes: list[Outcome], name: str) -> Outcome | None:
        return next((o for o in outcomes if o.name == name), None)

    if args.json:
        report: dict[str, object] = {
            "queries": str(args.queries),
            "k": args.k,
            "model": args.model,
            "graph_mode": None if args.no_system else args.graph_mode,
            "floor_reference": args.floor_reference,
            "notes": notes,
            "sets": {},
            "api_top_k_counts": api_kinds,
            "timings_s": {name: round(sec, 2) for name, sec in timings.items()},
            "total_s": round(total, 2),
        }
        for name, outcomes in results.items():
            floor_ref = reference(outcomes, args.floor_reference)
            peer_ref = reference(outcomes, PeerRetriever.name)
            rows = {}
            for o in outcomes:
                row: dict[str, object] = {**o.scores.as_dict(), "query_seconds": round(o.seconds, 3)}
                for key, ref in (("vs_floor", floor_ref), ("vs_peer", peer_ref)):
                    comparison = compare(o, ref)
                    row[key] = comparison.as_dict() if comparison else None
                rows[o.name] = row
            report["sets"][name] = {"n": len(sets[name]), "results": rows}  # type: ignore[index]
        # the shape earlier runs printed
        report["results"] = report["sets"]["dev"]["results"]  # type: ignore[index]
        if "proxy" in results:
            report["proxy"] = {o.name: o.scores.as_dict() for o in results["proxy"]}
        print(json.dumps(report, indent=2))
        return 0
    labels = {
        "dev": f"dev set: {len(sets['dev'])} queries from {args.queries}",
        "proxy": f"proxy set: {len(sets.get('proxy', []))} queries built from the extraction gold",
        "staff": f"staff set: {len(sets.get('staff', []))} frozen questions (bench/staff_questions.json)",
        "staff-other": f"second staff set: {len(sets.get('staff-other', []))} frozen questions on the other "
        "documents (bench/staff_questions_other_docs.json)",
    }
    print(f"k = {args.k}, model {args.model}, graph {'-' if args.no_system else args.graph_mode}")
    print(f"ratios: MRR / reference MRR (MRR difference); floor = {args.floor_reference}")
    for name, outcomes in results.items():
        print(f"\n{labels[name]}")
        floor_ref = reference(outcomes, args.floor_reference)
        print(table(outcomes, args.k, floor_ref, reference(outcomes, PeerRetriever.name)))
        if args.per_query:
            print()
            print(per_query_table(outcomes, sets[name]))
    if api_kinds:
        print(
            "\nwhat the API put in its top k (all sets): "
            + "; ".join(f"{n}: {c}" for n, c in api_kinds.items())
        )
    for note in notes:
        print(note)
    for name, seconds in timings.items():
        print(f"{name}: {seconds:.1f} s")
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
