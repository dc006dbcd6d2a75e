"""Hybrid retrieval: vector and full-text rankings fused by reciprocal rank fusion.

`Searcher.search(query, limit, filters, kinds, mode)` returns a `SearchResponse` in two parts, as
staff read it: `results`, the passages that answer the query (excerpt windows, each with its
text, case, source and character span, marked with the barriers, enablers and approaches it
evidences: search/marks.py), and `items`, the cases, barriers and approaches whose own names and
descriptions match, each with the passage of its evidence that best matches the query; items
with no source evidence come last. Passages and items are fused separately, so an item without
evidence never displaces a passage that answers the question.

Ranking (docs/search-notes.md has the measurements behind each choice):

* units are sentence windows (search/units.py); a window's vector score is its best sentence;
* each retriever's list is cut at :data:`DEPTH` and fused with RRF, `sum 1 / (RRF_K + rank)`,
  with :data:`RRF_K` = 10: with k = 60 over long lists, an item first in one list and deep in
  the other loses to items ~10th in both, which the notes measured as the floor's weak point;
  the excerpt vector list is weighted 0.75 (:data:`RRF_WEIGHTS`); the full-text list's weight is
  set per query by how much of the query its best window holds (search/lexical.py), and what it
  gives up goes to a passage-level vector list (each excerpt's own embedding);
  an item found by both retrievers always outranks one found by either alone at the same rank;
* alternative, ``fusion="score"`` (``Searcher(fusion=...)`` or ``search(..., fusion=...)``): a
  convex fusion on a fixed, query-independent scale, ``W_VECTOR · cos + W_FULLTEXT · s/(s + 10)``
  (cos from the vector score; Lucene score s squashed by a fixed constant, never min-max over the
  returned lists). A window found by full text only gets its exact vector score (not 0), since the
  vector list's cut-off says nothing about its cosine. Measured on dev it does not beat RRF k = 10
  (search/README.md), so RRF stays the default (:data:`FUSION`); unlike RRF it does not guarantee
  that an item found by both retrievers outranks one found by either alone;
* a window overlapping a better one from the same source is merged into it (search/passages.py):
  the result shows the whole passage instead of repeating it;
* the same words quoted by two sources (a coded export or template quoting a document the graph
  holds) are one result, the document's window, with the other source in `also_in`
  (search/quotes.py); :data:`QUOTE_SLACK` more windows are fused and read so the page stays full.

Node kinds (case, barrier, approach) come from their own vector and full-text indexes (all six
lists in one statement), fused among themselves by the same RRF; their evidence is a sentence
window of the case (or of the excerpts evidencing claims about the item): one the search itself
retrieved if there is one, else the closest to the query among at most :data:`EVIDENCE_CLAIMS`
claims.

Speed at scale (docs/benchmarks.md, "Second pass on latency"): excerpt full text runs while the
query is encoded; the vector index is asked for :data:`INDEX_FACTOR` x depth sentences and only
the best :data:`RESCORE_FACTOR` x depth that pass the filters are re-scored exactly; the passing
cases are matched in Python against the cases' facets, read once per graph version
(search/facets.py). The ranked lists carry ids, scores and spans only; text, case, source and
evidence are read for the fused top alone (:meth:`Searcher.hydrate`, "Fourth pass").
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from neo4j import Driver
from spreadgraph.graph.connection import read_rows
from spreadgraph.search import statements
from spreadgraph.search.answer_cypher import case_groups
from spreadgraph.search.expansion import closest_concepts, concept_lucene
from spreadgraph.search.facets import facets
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.fusion import FUSION, RRF_WEIGHTS, Fusion, fuse, interleave
from spreadgraph.search.lexical import lexical_weight, word_share
from spreadgraph.search.marks import apply_marks, mark_groups, marks_query
from spreadgraph.search.passages import apply_passages, read_passages
from spreadgraph.search.query import PreparedQuery, content_words, prepare
from spreadgraph.search.quotes import fold_quotes
from spreadgraph.search.results import (
    SearchResponse,
    SearchResult,
    fill_results,
    ranked_window,
)
from spreadgraph.search.scope import Plan, Scope, scope_of

#: Score fusion: the vector score (same scale as the index's) of windows found by full text only,
#: so a window just past the vector list's cut-off is not scored as if unrelated (cos 0).
UNIT_COSINE = """
MATCH (u:Sentence) WHERE u.id IN $ids
UNWIND [x IN [u] + [(u)-[:NEXT]-(n:Sentence) | n] | [x, CASE WHEN x = u THEN 0.0 ELSE 1e-4 END]] AS pair
WITH u, pair WHERE pair[0].embedding IS NOT NULL
RETURN u.id AS id, max(vector.similarity.cosine(pair[0].embedding, $vector) - pair[1]) AS score
"""
DEPTH = 50
#: Without filters the vector index is asked for INDEX_FACTOR x depth sentences (400 for 50
#: windows) and the best RESCORE_FACTOR x depth of them are re-scored exactly: at 200,000
#: sentences k = 400 gives recall@10 0.99 against brute force, k = 200 0.94 (docs/benchmarks.md).
INDEX_FACTOR = 8
RESCORE_FACTOR = 2
#: Filter first and score exactly when at most this many units pass (estimated): exact scoring
#: costs ~50 µs a unit at 100,000 excerpts, so 1,000 units take about what the index takes for
#: the 2,500 candidates of a pool that size (docs/benchmarks.md, "Fifth pass").
EXACT_POOL = 1_000
#: Over-fetch factor on top of the filters' selectivity: the index is asked for enough candidates
#: that about SAFETY x RESCORE_FACTOR x depth of them (25 for 50 windows) pass. Measured at 100,000
#: excerpts against exact scoring of the passing pool (20 queries each; single filters with 6-29%
#: of the cases, and two-filter combinations with 1.3-2.5% of them): recall@10 of the filtered
#: vector list 1.00 at 1.0 and 0.985-1.00 at 0.25, which asks the index for a quarter as many
#: candidates (two filters: 77-128 → 34-46 ms; docs/benchmarks.md, "Fifth pass").
SAFETY = 0.25
MAX_CANDIDATES = 10_000
#: Weigh full text by how much of the query it finds (search/lexical.py): the full-text list's RRF
#: weight is set per query from the share of the query's words in its best window, and the rest
#: of the weight goes to a passage-level vector list (each excerpt's own embedding), run only
#: when full text's weight is below 1. Measured on the make-run graph (docs/benchmarks.md,
#: "Lexical weight"). Off (``Searcher(lexical_weighting=False)``): fixed weights, no passage list.
LEXICAL_WEIGHTING = True
#: Expand the query through the concept vocabulary (search/expansion.py): one more full-text list.
#: Off: on the make-run graph it left the staff set unchanged (MRR 0.056) and lowered dev (0.946 ->
#: 0.911) and the proxy set (0.906 -> 0.903) at RRF weight 0.5, more at weight 1.
CONCEPT_EXPANSION = False
#: Windows fused and read beyond `limit`, to fill the places of passages folded into another source's
#: copy of the same words (search/quotes.py).
QUOTE_SLACK = 5
EVIDENCE_CLAIMS = 20  # claims read per barrier/approach result for its evidence (search/statements.py)
KINDS = ("excerpt", "case", "barrier", "approach")
NODE_KINDS = KINDS[1:]
Mode = Literal["hybrid", "vector", "fulltext"]


_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="search")
_VECTORS: weakref.WeakKeyDictionary[Any, OrderedDict[str, list[float]]] = weakref.WeakKeyDictionary()
_VECTORS_LOCK = threading.Lock()
VECTOR_CACHE = 512  # query vectors kept per embedder (a what-worked answer encodes its query once)


class Searcher:
    """Runs the retrievers against one driver with one embedder (both created lazily).

    `last_timings` holds the seconds each phase of the latest `search` took (embed, plan, each
    retriever list, fuse, hydrate), for profiling.
    """

    def __init__(
        self,
        driver: Driver | None = None,
        embedder: Any | None = None,
        fusion: Fusion = FUSION,
        lexical_weighting: bool = LEXICAL_WEIGHTING,
        concept_expansion: bool = CONCEPT_EXPANSION,
    ) -> None:
        self.driver = driver
        self._embedder = embedder
        self._vector_form: statements.VectorForm | None = None
        self.fusion = fusion
        self.lexical_weighting = lexical_weighting
        self.concept_expansion = concept_expansion
        self.last_timings: dict[str, float] = {}
        self.last_lexical_share: float | None = None

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from spreadgraph.search.embedder import configured_embedder

            self._embedder = configured_embedder()
        return self._embedder

    @property
    def vector_form(self) -> statements.VectorForm:
        """How this searcher's server prefers vector-index queries (asked once)."""
        if self._vector_form is None:
            self._vector_form = statements.vector_form(self.driver)
        return self._vector_form

    def encode(self, text: str) -> list[float]:
        """The query's vector, cached per embedder (LRU of :data:`VECTOR_CACHE` texts)."""
        embedder = self.embedder
        with _VECTORS_LOCK:
            cache = _VECTORS.setdefault(embedder, OrderedDict())
            if text in cache:
                cache.move_to_end(text)
                return cache[text]
        vector = [float(x) for x in embedder.encode([text])[0]]
        with _VECTORS_LOCK:
            cache[text] = vector
            while len(cache) > VECTOR_CACHE:
                cache.popitem(last=False)
        return vector

    def read(self, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Rows of one read statement: the parameters it uses, id lists padded (`statements.plan_stable`)."""
        return read_rows(statement, statements.plan_stable(statement, params), driver=self.driver)

    # -- candidate counts -----------------------------------------------------------------------

    def scope(self, filters: SearchFilters) -> Scope:
        """The cases that pass the filters, their items and the share of units that pass, from
        the graph's facets (search/facets.py: read once per graph version, matched here in
        Python and remembered per filter combination)."""
        values = filters.values()
        if not values:
            return Scope()
        found = facets(self.driver)
        key = ("scope", tuple(sorted(values.items())), filters.published_only)
        return found.memo(key, lambda: scope_of(found, filters))

    def plan(self, filters: SearchFilters, depth: int, scope: Scope | None = None) -> Plan:
        """Exact scoring of the filtered pool, or index candidates, from the filters' selectivity.

        The pool is estimated from the share of passing cases (or sources), never by scanning
        units: at most :data:`EXACT_POOL` units → score them all exactly; more → ask the index for
        enough candidates that about `RESCORE_FACTOR·depth × SAFETY` of them pass (at most
        :data:`MAX_CANDIDATES`); without filters, :data:`INDEX_FACTOR`·depth.
        """
        base = max(depth * INDEX_FACTOR, 400)
        scope = scope or self.scope(filters)
        if scope.share >= 1.0 or not filters.values():
            return Plan(False, min(MAX_CANDIDATES, base))
        pool = math.ceil(scope.share * scope.units)
        if pool <= EXACT_POOL:
            return Plan(True, max(pool, 1))
        share = max(scope.share, 1e-3)
        wanted = math.ceil(depth * RESCORE_FACTOR * SAFETY / share)
        return Plan(False, min(MAX_CANDIDATES, max(base, wanted)))

    # -- single retrievers ------------------------------------------------------------------------

    def units(
        self,
        retriever: str,
        vector: list[float],
        lucene: str,
        filters: SearchFilters,
        depth: int = DEPTH,
        plan: Plan | None = None,
        scope: Scope | None = None,
    ) -> list[SearchResult]:
        """Excerpt windows ranked by one retriever (vector | fulltext | passage: by the excerpt's
        own vector, shown as its window closest to the query), filters inside the query."""
        if retriever == "fulltext" and not lucene:
            return []
        scope = scope or self.scope(filters)
        plan = plan or self.plan(filters, depth, scope)
        if retriever == "passage" and plan.exact:
            return []  # a small filtered pool: every window in it is scored exactly already
        kind, candidates = retriever, plan.candidates
        if retriever == "vector" and plan.exact:
            kind, candidates = "vector_exact", min(candidates, 2 * depth)  # see statements.UNIT_VECTOR_EXACT
        elif retriever == "fulltext" and plan.exact:
            candidates = MAX_CANDIDATES  # Lucene scores every match; keep all that pass the filters
        statement = statements.unit_query(kind, filters.excerpt_predicate(), filters, self.vector_form)
        params = {
            "vector": vector,
            "lucene": lucene,
            "candidates": candidates,
            "depth": depth,
            "rescore": depth * RESCORE_FACTOR,
        }
        rows = self.read(statement, {**params, **scope.params(filters)})
        return [ranked_window(r) for r in rows]

    def node_lists(
        self,
        lists: Sequence[tuple[str, str]],
        vector: list[float],
        lucene: str,
        filters: SearchFilters,
        depth: int = DEPTH,
        scope: Scope | None = None,
    ) -> dict[str, list[SearchResult]]:
        """Case/barrier/approach nodes ranked by each (kind, retriever) in `lists`, kept when a
        passing case holds them; all lists in one statement, keyed "kind:retriever".

        The results carry only kind, id and score: :meth:`hydrate` fills in the fused top.
        """
        lists = [(kind, retriever) for kind, retriever in lists if retriever != "fulltext" or lucene]
        if not lists:
            return {}
        scope = scope or self.scope(filters)
        candidates = min(MAX_CANDIDATES, max(depth * 4, 200) * (4 if filters.selective else 1))
        statement = statements.node_lists_query(
            list(lists), filters.case_predicate(), filters.lists_cases, self.vector_form
        )
        params = {"vector": vector, "lucene": lucene, "candidates": candidates, "depth": depth}
        found: dict[str, list[SearchResult]] = {f"{kind}:{retriever}": [] for kind, retriever in lists}
        for row in self.read(statement, {**params, **scope.params(filters)}):
            kind = row["list"].split(":")[0]
            ranked = sorted(zip(row["scores"], row["ids"], strict=True), key=lambda pair: (-pair[0], pair[1]))
            found[row["list"]] = [SearchResult(kind=kind, id=i, score=float(score)) for score, i in ranked]
        return found

    def hydrate(
        self,
        results: list[SearchResult],
        vector: list[float],
        filters: SearchFilters,
        scope: Scope | None = None,
        units: Sequence[str] = (),
    ) -> None:
        """Fill in what the fused top shows, its statements side by side: the excerpt windows'
        text, case and source, and the items each passage evidences (search/marks.py); the node
        results' name, description, case, source and evidence window (one statement per kind;
        `units`, the windows the search retrieved, are preferred as evidence); the merged
        passages (search/passages.py), applied last since they widen the windows' text and span."""
        scope = scope or self.scope(filters)
        predicate = filters.case_predicate()
        jobs = {}
        windows = [r.id for r in results if r.kind == "excerpt"]
        if windows:
            jobs["excerpt"] = _POOL.submit(self.read, statements.UNIT_DETAILS, {"ids": windows})
        for kind in NODE_KINDS:
            ids = [r.id for r in results if r.kind == kind]
            if ids:
                statement = statements.node_evidence_query(kind, predicate)
                params = {"ids": ids, "vector": vector, "units": list(units), "claims": EVIDENCE_CLAIMS}
                jobs[kind] = _POOL.submit(self.read, statement, {**params, **scope.params(filters)})
        groups = mark_groups(results)
        if groups:
            statement = marks_query(predicate)
            jobs["marks"] = _POOL.submit(self.read, statement, {"groups": groups, **scope.params(filters)})
        merged = any(r.merged for r in results)
        passages = _POOL.submit(read_passages, self.driver, results) if merged else None
        for kind, job in jobs.items():
            if kind == "marks":
                apply_marks(results, job.result())
            else:
                fill_results(results, kind, job.result())
        if passages:
            apply_passages(results, passages.result())

    # -- the search -------------------------------------------------------------------------------

    def search(
        self,
        query: str | None,
        limit: int = 10,
        filters: SearchFilters | None = None,
        kinds: Sequence[str] = KINDS,
        mode: Mode = "hybrid",
        fusion: Fusion | None = None,
        scope: Scope | None = None,
    ) -> SearchResponse:
        """`scope`: the filters' passing cases, when the caller has matched them already."""
        filters = filters or SearchFilters()
        prepared = prepare(query)
        limit = max(1, min(int(limit), 100))
        response = SearchResponse(
            query=prepared.text,
            mode=mode,
            limit=limit,
            filters=filters.model_dump(exclude_none=True),
            notes=prepared.notes(),
        )
        if prepared.empty:
            return response
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown result kinds: {sorted(unknown)} (use {', '.join(KINDS)})")
        timings: dict[str, float] = {}
        self.last_lexical_share = None
        started = time.perf_counter()
        retrievers = {"hybrid": ("vector", "fulltext"), "vector": ("vector",), "fulltext": ("fulltext",)}[
            mode
        ]
        depth = max(DEPTH, limit * 3)

        def timed(name: str, work: Any, *args: Any) -> Any:
            began = time.perf_counter()
            try:
                return work(*args)
            finally:
                timings[name] = time.perf_counter() - began

        scope = scope if scope is not None else timed("scope", self.scope, filters)
        plan = self.plan(filters, depth, scope)
        jobs = {}
        # excerpt full text needs no query vector: it runs while the query is encoded
        if "excerpt" in kinds and "fulltext" in retrievers:
            args = ("fulltext", [], prepared.lucene, filters, depth, plan, scope)
            jobs["excerpt:fulltext"] = _POOL.submit(timed, "excerpt:fulltext", self.units, *args)
        vector = timed("embed", self.encode, prepared.text)
        weights = None
        if "excerpt" in kinds and "vector" in retrievers:
            args = ("vector", vector, prepared.lucene, filters, depth, plan, scope)
            jobs["excerpt:vector"] = _POOL.submit(timed, "excerpt:vector", self.units, *args)
            if self.concept_expansion and "fulltext" in retrievers and (fusion or self.fusion) == "rrf":
                concepts = closest_concepts(self.embedder, vector)
                response.expanded = [c.name for c in concepts]
                if concepts:
                    args = ("fulltext", vector, concept_lucene(concepts), filters, depth, plan, scope)
                    jobs["excerpt:concepts"] = _POOL.submit(timed, "excerpt:concepts", self.units, *args)
        node_lists = [(kind, retriever) for kind in kinds if kind != "excerpt" for retriever in retrievers]
        nodes = None
        if node_lists:
            args = (node_lists, vector, prepared.lucene, filters, depth, scope)
            nodes = _POOL.submit(timed, "nodes", self.node_lists, *args)
        if "excerpt" in kinds and "vector" in retrievers:  # waits for full text, so after the other lists
            fulltext = jobs.get("excerpt:fulltext")
            weights = self.lexical_weights(prepared, mode, fusion or self.fusion, fulltext)
            if weights is not None and weights["excerpt:passage"] > 0:
                args = ("passage", vector, prepared.lucene, filters, depth, plan, scope)
                jobs["excerpt:passage"] = _POOL.submit(timed, "excerpt:passage", self.units, *args)
        lists = {name: job.result() for name, job in jobs.items()}
        lists.update(nodes.result() if nodes else {})
        began = time.perf_counter()
        fusion = fusion or self.fusion
        fill = self.fill_cosines(lists, vector) if fusion == "score" and mode == "hybrid" else None
        passage_lists = {name: found for name, found in lists.items() if name.startswith("excerpt:")}
        item_lists = {name: found for name, found in lists.items() if not name.startswith("excerpt:")}
        wanted = limit + QUOTE_SLACK
        response.results = fuse(passage_lists, wanted, fusion, fill, weights) if passage_lists else []
        response.items = fuse(item_lists, 2 * limit, fusion) if item_lists else []
        response.items = self.one_per_real_case(response.items, filters, scope)[:limit]
        timings["fuse"] = time.perf_counter() - began
        retrieved = interleave(lists.get("excerpt:vector", []), lists.get("excerpt:fulltext", []))
        everything = response.results + response.items
        timed("hydrate", self.hydrate, everything, vector, filters, scope, retrieved)
        response.results = fold_quotes(response.results)[:limit]
        response.items.sort(key=lambda r: not r.evidenced)  # stable: fused order within each group
        timings["total"] = time.perf_counter() - started
        self.last_timings = timings
        return response

    def one_per_real_case(
        self, results: list[SearchResult], filters: SearchFilters, scope: Scope
    ) -> list[SearchResult]:
        """`results` with each case replaced by its real case's representative (a case described
        twice, by a template and by a document, is linked SAME_AS: graph/case_links.py; the
        contributor's template case first, as what-worked lists it), each real case once, at
        the place of its best description."""
        ids = [r.id for r in results if r.kind == "case"]
        if not ids:
            return results
        params = {"ids": ids, **scope.params(filters)}
        rows = self.read(case_groups(filters.case_predicate()), params)
        representative = {
            row["id"]: min(row["members"], key=lambda m: (m["rank"], m["id"]))["id"] for row in rows
        }
        kept: list[SearchResult] = []
        seen: set[str] = set()
        for r in results:
            if r.kind == "case":
                r.id = representative.get(r.id, r.id)
                if r.id in seen:
                    continue
                seen.add(r.id)
            kept.append(r)
        return kept

    def lexical_weights(
        self, prepared: PreparedQuery, mode: Mode, fusion: Fusion, fulltext: Future | None
    ) -> dict[str, float] | None:
        """The passage lists' RRF weights for this query (search/lexical.py), or None for the fixed
        :data:`RRF_WEIGHTS` (weighting off, not hybrid RRF). Waits for the full-text list, which
        runs while the query is encoded and is normally done by now."""
        if not self.lexical_weighting or mode != "hybrid" or fusion != "rrf":
            return None
        found = fulltext.result() if fulltext is not None else []
        share = 0.0
        if found:
            rows = self.read(statements.UNIT_TEXT, {"id": found[0].id})
            share = word_share(content_words(prepared.text), rows[0]["text"] or "") if rows else 0.0
        weight = lexical_weight(share)
        self.last_lexical_share = share
        return {**RRF_WEIGHTS, "excerpt:fulltext": weight, "excerpt:passage": 1.0 - weight}

    def fill_cosines(
        self, lists: dict[str, list[SearchResult]], vector: list[float]
    ) -> dict[str, dict[str, float]]:
        """Exact vector scores of excerpt windows found by full text but not by vectors."""
        seen = {r.id for r in lists.get("excerpt:vector", [])}
        ids = [r.id for r in lists.get("excerpt:fulltext", []) if r.id not in seen]
        if not ids:
            return {}
        rows = self.read(UNIT_COSINE, {"ids": ids, "vector": vector})
        return {"excerpt:vector": {f"excerpt|{row['id']}": float(row["score"]) for row in rows}}
