"""Extraction benchmark: evidence recall per kind, items per 1,000 words, the cue-word floor, and
issue 18's metric on the graph `make run` builds.

HF_HUB_OFFLINE=1 .venv/bin/python -m bench.extraction [--corpus ../shared/corpus]
    [--gold ../shared/eval/dev_extraction] [--graph-dir /tmp/sg-bench-extract] [--no-graph]
    [--no-lodo] [--json] [-v]

Span recall (the first table): a gold item counts as found when the extracted sentences of the
same kind together overlap >= 50% of its evidence quote's characters (raw-file offsets; see
bench/extraction_eval.py). The floor flags every sentence containing a cue word of a kind
(FLOOR_WORDS) as that kind, scored the same way, in the same run. Speaker right: gold interview
excerpts found as quotes with the right speaker role (bench/excerpt_eval.py, on the same parse
the graph stores).

Issue 18's metric (the second table; definitions in bench/extraction_metric.py) reads the graph
built as `make run` builds it (bench/system_graph.py's 'make-run' mode: the real `spreadgraph
ingest` commands, extractor on, demo cases published; kept in --graph-dir and reused): per dev
document, the Barrier/Enabler/Approach nodes with a claim evidenced by an excerpt of that
document (the claim's evidence text is its sentence span, `EVIDENCED_BY.start/end` in
`Source.text`), the approach -> barrier link claims
(addressed | partly_addressed | did_not_address | caused, SUBJECT Approach, OBJECT Barrier), the
Case nodes DESCRIBED_IN the document, and `review_decisions`. Names are compared by MiniLM
cosine (the configured embedder). The extractor's per-kind quotas were fitted on both dev
documents, so the quota-dependent figures are also given leave-one-document-out (rows "LODO",
bench/lodo.py): extracted with the quotas chosen on the other document, scored the same way
without a graph.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from neo4j import Driver, Session
from spreadgraph.ingest.documents.parsing import DocumentPipeline
from spreadgraph.ingest.documents.readers import reader_for
from spreadgraph.ingest.extraction import CueEmbeddingExtractor, VectorCache
from spreadgraph.schema.extraction_models import KINDS
from spreadgraph.search.embedder import naming_embedder

from bench.excerpt_eval import score_excerpts
from bench.extraction_eval import (
    extraction_spans,
    floor_spans,
    gold_items,
    link_relation_recall,
    resolution_counts,
    score_spans,
)
from bench.extraction_metric import (
    NAMED_KINDS,
    TARGET_TEXT,
    GraphItem,
    GraphLink,
    NameSimilarity,
    Similarity,
    case_recall,
    gold_case_names,
    item_figures,
    meets,
    pool,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
COLUMNS = (*KINDS, "link")
GRAPH_DIR = Path("/tmp/sg-bench-extract")


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
    speakers = score_excerpts(doc, raw.text, gold_doc["interview_excerpts"])
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
        "resolution": resolution_counts(extraction),
        "recall": {k: round(scores[k].recall, 3) for k in COLUMNS},
        "gold": {k: scores[k].gold for k in COLUMNS},
        "covered": {k: scores[k].covered for k in COLUMNS},
        "items_by_kind": {k: scores[k].items for k in COLUMNS},
        "link_relation_recall": round(link_relation_recall(doc, raw.text, extraction, gold["link"]), 3),
        "speaker_right": {
            "value": round(speakers.recall_with_role, 3),
            "hits": speakers.found_with_role,
            "found": speakers.found,
            "total": speakers.gold,
            "quotes": len(doc.quotes()),
            "met": meets("speaker_right", speakers.recall_with_role),
            "target": TARGET_TEXT["speaker_right"],
        },
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
    for r in results:
        c = r["resolution"]
        print(
            f"{r['file'][:26]:26} resolution: {c['findings']} barrier/enabler/approach findings, "
            f"{c['resolved']} resolved to {c['concepts']} concepts, {c['coded_evidence']} kept as coded "
            f"evidence (no item); {c['links']} links between resolved findings"
        )
    print(
        f"\nencode+extract {timing['extract']:.1f}s (anchors {timing['anchors']:.1f}s, "
        f"model load included), parse {timing['parse']:.1f}s; texts encoded once each: {timing['encoded']}"
    )
    print(
        "floor /1000w = sentences flagged; extractor /1000w = items (findings, each a window of 1-4 "
        "sentences; links not counted), with the distinct sentences inside them"
    )


# --- issue 18: the graph side --------------------------------------------------------------------

_SOURCE = """
MATCH (s:Source {file_name: $file}) WHERE s.kind = 'document'
RETURN s.id AS id ORDER BY s.version DESC LIMIT 1
"""
_ITEMS = """
MATCH (s:Source {id: $source})<-[:FROM]-(e:Excerpt)<-[ev:EVIDENCED_BY]-(cl:Claim)-[:SUBJECT|OBJECT]->(item)
WHERE (item:Barrier OR item:Enabler OR item:Approach) AND cl.status <> 'rejected'
WITH item, CASE WHEN ev.start IS NULL THEN e.text
                ELSE substring(s.text, ev.start, ev.end - ev.start) END AS text
RETURN item.id AS id, [x IN labels(item) WHERE x IN ['Barrier', 'Enabler', 'Approach']][0] AS label,
       item.name AS name, collect(DISTINCT text) AS evidence
ORDER BY id
"""
_LINKS = """
MATCH (s:Source {id: $source})<-[:FROM]-(:Excerpt)<-[:EVIDENCED_BY]-(cl:Claim)-[:SUBJECT]->(a:Approach)
MATCH (cl)-[:OBJECT]->(b:Barrier)
WHERE cl.status <> 'rejected'
RETURN DISTINCT a.name AS approach, b.name AS barrier, cl.kind AS relation
"""
_CASES = """
MATCH (c:Case)-[:DESCRIBED_IN]->(:Source {id: $source})
RETURN c.id AS id, c.title AS title ORDER BY id
"""
_QUOTES = "MATCH (:Source {id: $source})<-[:FROM]-(e:Excerpt {kind: 'quote'}) RETURN count(e) AS n"
_EXTRACTOR_CLAIMS = "MATCH (cl:Claim {method: 'extractor'}) RETURN count(cl) AS n"
_REVIEW = """
MATCH (:Source {id: $source})<-[:FROM]-(:Excerpt)<-[:EVIDENCED_BY]-(cl:Claim {status: 'suggested'})
RETURN count(DISTINCT cl) AS n
"""


def review_decisions(session: Session, source_id: str) -> int:
    """Decisions a reviewer needs to clear one document's suggestions: the one place to change when
    the review queue is regrouped.

    Today the queue (graph/decisions.py `suggested_claims`, the /review page, the claims API) asks
    for one decision per suggested claim, and the graph has no grouping of suggestions by case and
    item, so this counts the distinct suggested (unreviewed) claims evidenced by an excerpt of
    the document: item claims, taxonomy-code (coded_as) claims and link claims alike. If the queue
    comes to show one entry per (case, item), count those groups here instead.
    """
    return session.run(_REVIEW, source=source_id).single()["n"]


def graph_items(session: Session, source_id: str) -> list[GraphItem]:
    """Barrier/Enabler/Approach nodes with a (not rejected) claim evidenced in the document, as
    SUBJECT or as a link's OBJECT, with the evidence text of each such claim."""
    return [
        GraphItem(r["label"].lower(), r["name"] or "", tuple(r["evidence"]), r["id"])
        for r in session.run(_ITEMS, source=source_id)
    ]


def graph_links(session: Session, source_id: str) -> list[GraphLink]:
    return [
        GraphLink(r["approach"], r["barrier"], r["relation"]) for r in session.run(_LINKS, source=source_id)
    ]


def graph_figures(driver: Driver, file_name: str, gold_doc: dict, words: int, similarity: Similarity) -> dict:
    """Issue 18's figures for one document, read from the graph."""
    with driver.session() as session:
        record = session.run(_SOURCE, file=file_name).single()
        if record is None:
            raise SystemExit(f"{file_name} is not in the graph")
        source = record["id"]
        items = graph_items(session, source)
        links = graph_links(session, source)
        decisions = review_decisions(session, source)
        cases = [(r["id"], r["title"] or "") for r in session.run(_CASES, source=source)]
        quotes = session.run(_QUOTES, source=source).single()["n"]
    figures = item_figures(gold_doc, items, links, decisions, words, similarity)
    found, matched = case_recall(gold_case_names(gold_doc), [t for _, t in cases], similarity)
    figures["case_recall"] = {
        **found.as_dict(),
        "gold_field": "max cosine of the title with case_name or innovation.name",
        "matched": matched,
        "titles": [t for _, t in cases],
        "met": meets("case_recall", found.value),
        "target": TARGET_TEXT["case_recall"],
    }
    figures["source_id"] = source
    figures["graph_quotes"] = quotes
    return figures


def with_graph(
    graph_dir: Path, corpus: Path, results: list[dict], gold_docs: list[dict], similarity
) -> float:
    """Build (or reuse) the make-run graph in `graph_dir` and add `graph` figures to each result."""
    from bench.system_graph import bench_graph

    began = time.perf_counter()
    with bench_graph(graph_dir, corpus, log=lambda m: print(m, file=sys.stderr), mode="make-run") as driver:
        rows, _, _ = driver.execute_query(_EXTRACTOR_CLAIMS)
        if not rows[0]["n"]:
            raise SystemExit(
                f"the graph in {graph_dir} holds no extractor claims (built without the extractor?); "
                "give another --graph-dir"
            )
        for r, gold_doc in zip(results, gold_docs, strict=True):
            r["graph"] = graph_figures(driver, r["file"], gold_doc, r["words"], similarity)
    return time.perf_counter() - began


# --- issue 18: the table ------------------------------------------------------------------------


def _kinds(values: dict[str, Any] | None, key: str = "value") -> str:
    if not values:
        return " ".join(f"{'':>8}" for _ in NAMED_KINDS)
    return " ".join(
        _num(values.get(k, {}).get(key) if isinstance(values.get(k), dict) else values.get(k))
        for k in NAMED_KINDS
    )


def _num(value: float | None, width: int = 8) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.2f}"


def _met(flag: bool | None) -> str:
    return "" if flag is None else "met" if flag else "NOT met"


def metric_rows(r: dict) -> list[tuple[str, str, str, str, str]]:
    """(figure, per-kind cells, overall cell, target, met) rows of one document."""
    rows = []
    g, lodo = r.get("graph"), (r.get("lodo") or {}).get("metric")
    sources = [("graph", g), ("  LODO", lodo)]
    for label, f in sources:
        if f is None:
            continue
        named = f["named_recall"]
        rows.append(
            (
                f"named with evidence recall {label}".replace(" graph", ""),
                _kinds(named),
                _num(named["all"]["value"]),
                TARGET_TEXT["named_recall"],
                _met(all(named[k]["met"] for k in NAMED_KINDS)),
            )
        )
    if g is not None:
        named = g["named_recall"]
        for key, text in (
            ("named", "  gold named alike, any evidence"),
            ("evidenced", "  gold quote held, any name"),
        ):
            shares = {
                k: named[k][key] / named[k]["total"] if named[k]["total"] else None for k in NAMED_KINDS
            }
            overall = named["all"][key] / named["all"]["total"] if named["all"]["total"] else None
            rows.append((text, _kinds(shares), _num(overall), "(diagnostic: the two halves of a hit)", ""))
    for label, f in sources:
        if f is None:
            continue
        p = f["name_precision"]
        rows.append(
            (
                f"name precision {label}".replace(" graph", ""),
                _kinds(p),
                _num(p["all"]["value"]),
                TARGET_TEXT["name_precision"],
                _met(p["met"]),
            )
        )
    span = {k: r["recall"][k] for k in NAMED_KINDS}
    covered = sum(r["covered"][k] for k in NAMED_KINDS)
    gold = sum(r["gold"][k] for k in NAMED_KINDS)
    rows.append(
        (
            "span recall",
            _kinds(span),
            _num(covered / gold if gold else None),
            TARGET_TEXT["span_recall"],
            _met(all(meets("span_recall", v) for v in span.values())),
        )
    )
    if r.get("lodo"):
        lspan = {k: r["lodo"]["recall"][k] for k in NAMED_KINDS}
        rows.append(
            (
                "span recall   LODO",
                _kinds(lspan),
                _num(None),
                TARGET_TEXT["span_recall"],
                _met(all(meets("span_recall", v) for v in lspan.values())),
            )
        )
    for label, f in sources:
        if f is None:
            continue
        link = f["link_recall"]
        rows.append(
            (
                f"link recall {label}".replace(" graph", ""),
                _kinds(None),
                _num(link["value"]),
                f"{TARGET_TEXT['link_recall']} ({link['hits']}/{link['total']}; "
                f"{link['graph_links']} graph links)",
                _met(link["met"]),
            )
        )
    sp = r["speaker_right"]
    rows.append(
        (
            "speaker right",
            _kinds(None),
            _num(sp["value"]),
            f"{sp['target']} ({sp['hits']}/{sp['total']}; found {sp['found']})",
            _met(sp["met"]),
        )
    )
    for label, f in sources:
        if f is None:
            continue
        rv = f["review_decisions"]
        rows.append(
            (
                f"review decisions /1000 words {label}".replace(" graph", ""),
                _kinds(None),
                _num(rv["per_1000_words"]),
                f"<= {rv['limit_per_1000_words']:.2f} ({rv['decisions']} decisions; 1.5 x {rv['gold_items']} "
                f"gold items = {rv['limit']:.0f})",
                _met(rv["met"]),
            )
        )
    if g is not None:
        c = g["case_recall"]
        rows.append(
            (
                "cases found",
                _kinds(None),
                _num(c["value"]),
                f"{TARGET_TEXT['case_recall']} ({c['hits']}/{c['total']}; {len(c['titles'])} graph cases)",
                _met(c["met"]),
            )
        )
    return rows


def same_items(graph: dict, offline: dict) -> bool:
    """True when two `item_figures` agree on every count (graph vs the unwritten extraction)."""

    def counts(f: dict) -> list:
        return [
            *(f["named_recall"][k]["hits"] for k in NAMED_KINDS),
            *(f["name_precision"][k]["hits"] for k in NAMED_KINDS),
            f["items"],
            f["link_recall"]["hits"],
            f["link_recall"]["graph_links"],
            f["review_decisions"]["decisions"],
        ]

    return counts(graph) == counts(offline)


def print_metric_table(results: list[dict], lodo: dict | None, graph_dir: Path | None) -> None:
    where = f"the make-run graph in {graph_dir}" if graph_dir else "no graph (--no-graph)"
    print(
        f"\nissue 18 metric on {where}; LODO rows: quotas and the concept-resolution threshold chosen"
        " on the other dev document"
    )
    if lodo and "shipped_resolve" in lodo:
        for fold in lodo["folds"]:
            print(
                f"  held out {fold['held_out']}: resolve threshold chosen on the other document "
                f"{fold['resolve_chosen_on_the_others']} (objective there per value: "
                f"{fold['resolve_objective_on_the_others']})"
            )
        print(
            f"  shipped resolve threshold {lodo['shipped_resolve']}; objective on both documents per value:"
            f" {lodo['resolve_pooled_objective']}"
        )
    head = f"{'figure':34} " + " ".join(f"{k:>8}" for k in NAMED_KINDS) + f" {'all':>8}  {'met':7}  target"
    for r in results:
        print(f"\n{r['file']} ({r['words']} words)")
        print(head)
        for figure, kinds, overall, target, met in metric_rows(r):
            print(f"{figure:34} {kinds} {overall}  {met:7}  {target}")
    shipped = [(r.get("graph"), (r.get("lodo") or {}).get("shipped_metric")) for r in results]
    if all(g and o for g, o in shipped):
        same = all(same_items(g, o) for g, o in shipped)
        print(
            "\ncheck: the same extraction scored without a graph (shipped quotas) gives the graph's item"
            f" figures: {'yes' if same else 'NO (the graph was built by another extractor version?)'}"
        )
    pooled = []
    if all(r.get("graph") for r in results):
        pooled.append(("graph", pool([r["graph"] for r in results]), None))
    if lodo and "lodo_metric" in lodo:
        pooled.append(("LODO", lodo["lodo_metric"], lodo["lodo_recall"]))
    for name, p, span in pooled:
        named = " ".join(f"{k} {p['named_recall'][k]['value']:.2f}" for k in (*NAMED_KINDS, "all"))
        review = p["review_decisions"]
        print(f"\nboth documents, pooled ({name}):")
        print(f"  named with evidence recall {named}")
        print(f"  name precision {p['name_precision']['all']['value']:.2f}", end="")
        print(f"; link recall {p['link_recall']['value']:.2f}")
        print(
            f"  review decisions {review['decisions']} vs <= {review['limit']:.0f}"
            f" (1.5 x {review['gold_items']} gold items)"
        )
        if span:
            print("  span recall " + " ".join(f"{k} {span[k]:.2f}" for k in NAMED_KINDS))
    print(
        "\nnamed with evidence recall: a same-kind item named alike (MiniLM cosine >= 0.6) with a claim"
        " whose evidence holds >= 60% of the gold quote's words in order; name precision: items named like"
        " some gold item (any kind); link recall: approach->barrier link claims between items named like"
        " the gold pair;"
        " speaker right and cases found depend on the parser only (no fitted parameters, so no LODO rows);"
        " cases found: titles of the Cases DESCRIBED_IN the document vs gold case_name / innovation.name"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev_extraction")
    parser.add_argument("--graph-dir", type=Path, default=GRAPH_DIR, help="where the make-run graph is kept")
    parser.add_argument("--no-graph", action="store_true", help="skip issue 18's graph figures")
    parser.add_argument("--no-lodo", action="store_true", help="skip the leave-one-document-out figures")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed gold quotes and names")
    args = parser.parse_args()
    started = time.perf_counter()
    embedder = naming_embedder()
    extractor = CueEmbeddingExtractor(embedder)
    cache = VectorCache(embedder)
    t0 = time.perf_counter()
    cache.vectors([a.text for a in extractor.anchors()])
    anchors = time.perf_counter() - t0
    results, gold_docs = [], []
    for gold_file in sorted(args.gold.glob("*.json")):
        for gold_doc in json.loads(gold_file.read_text())["documents"]:
            gold_docs.append(gold_doc)
            results.append(bench_document(args.corpus / gold_doc["file"], gold_doc, extractor, cache))
    total = totals(results)
    timing = {
        "anchors": anchors,
        "parse": sum(r["seconds"]["parse"] for r in results),
        "extract": anchors + sum(r["seconds"]["extract"] for r in results),
        "encoded": cache.encoded,
    }
    similarity = NameSimilarity(cache.vectors)
    if not args.no_graph:
        timing["graph"] = round(with_graph(args.graph_dir, args.corpus, results, gold_docs, similarity), 1)
    lodo = None
    if not args.no_lodo:
        from bench.lodo import run_lodo

        t0 = time.perf_counter()
        lodo = run_lodo(gold_docs, args.corpus, extractor, cache, similarity)
        timing["lodo"] = round(time.perf_counter() - t0, 1)
        for r, fold in zip(results, lodo["folds"], strict=True):
            r["lodo"] = fold
            if r.get("graph"):
                r["graph"]["same_as_unwritten_extraction"] = same_items(r["graph"], fold["shipped_metric"])
    timing["total"] = round(time.perf_counter() - started, 1)
    if args.json:
        for r in results:
            if not args.verbose:
                r.pop("misses")
                for f in (
                    r.get("graph"),
                    *((r.get("lodo") or {}).get(k) for k in ("metric", "shipped_metric")),
                ):
                    if f:
                        f.pop("misses", None)
        summary = {"targets": TARGET_TEXT}
        if lodo:
            summary["lodo"] = {k: v for k, v in lodo.items() if k != "folds"}
        if not args.no_graph:
            summary["graph_pooled"] = pool([r["graph"] for r in results])
        print(json.dumps({"documents": results, "total": total, **summary, "timing": timing}, indent=2))
        return
    print_table(results, total, timing)
    print_metric_table(results, lodo, None if args.no_graph else args.graph_dir)
    print(f"\ntiming (s): {json.dumps({k: round(v, 1) for k, v in timing.items()})}")
    if args.verbose:
        for r in results:
            for kind, misses in r["misses"].items():
                print(f"\n{r['file']} missed {kind} (span):")
                print("\n".join("    " + m for m in misses))
            for kind, misses in (r.get("graph") or {}).get("misses", {}).items():
                print(f"\n{r['file']} missed {kind} (named with evidence, graph):")
                print("\n".join("    " + m for m in misses))
            if r.get("graph"):
                c = r["graph"]["case_recall"]
                print(f"\n{r['file']} case titles: {c['titles']}\n  matched: {c['matched']}")


if __name__ == "__main__":
    main()
