"""A synthetic scale graph: realistic invented cases and excerpts, same schema as real ingest.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.synthetic --graph-dir /tmp/sg-scale [--excerpts 100000]

What it writes (labels, properties and relationships exactly as `graph/documents.py`,
`graph/case_writer.py`, `graph/claims.py` and `search/units.py` write them):

* document sources (`Source {kind: 'document'}` with `text`) holding 1-3 published cases each,
  whose excerpts (quotes with a speaker role, and passages) have spans into `Source.text`, and
  extractor-style *suggested* claims evidenced by an excerpt with the sentence span on the edge;
* template cases (`Source {kind: 'template'}`, `Revision`, `Contributor`, `Adoption`) with
  `template_quote` excerpts and *confirmed* claims evidenced by the source; a few are pending or
  rejected; items with confirmed codes get `CODED_AS` (as `graph/items.tidy_items` does);
* every case: an `Innovation`, a `Context`, barriers, enablers, approaches (shared nodes),
  approach-addressed-barrier links, outcomes, lessons and CFIR / ERIC `coded_as` claims;
* search units: `Sentence` nodes from `search.units.plan_units` (same ids, windows, `NEXT`).

Text: sentences from the templates in `bench/synthetic_words.py`. Vectors: MiniLM encodes only
~800 words/s on this machine, so a pool of ~3,000 distinct *base* sentences (and every item
name) is encoded for real; each sentence in the graph takes its base's vector plus Gaussian
noise (per-dimension sigma 0.015-0.035, cos to the base ~0.8-0.95), renormalised. Excerpt
vectors are the normalised sum of their sentences'; case vectors mix their innovation's,
setting's and first barrier's. Writes are batched `UNWIND` statements.

The graph lives in `--graph-dir` (kept). `fingerprint.json` records the parameters, generator
version and node counts; a later run with the same parameters reuses the graph after checking
the counts, otherwise the folder is rebuilt. `sentence_vectors.npy` / `sentence_ids.json` hold
the exact vectors written (for the brute-force recall check in bench/search_latency.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from neo4j import Driver

from bench import synthetic_words as W
from bench.synthetic_rows import GraphPlan, plan_graph

VERSION = 1
HEAP = "3g"
PAGECACHE_MB = 4096
PASSWORD = "scale-bench"


def _fingerprint(excerpts: int, seed: int) -> dict[str, Any]:
    return {"version": VERSION, "excerpts": excerpts, "seed": seed}


def encode_pool(texts: list[str], cache: Path, log=print) -> np.ndarray:
    """Real MiniLM vectors for `texts` (cached in `cache` by the texts' digest)."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    if cache.exists():
        data = np.load(cache)
        if str(data["digest"]) == digest:
            return data["vectors"]
    from spreadgraph.search.embedder import Embedder

    from spreadgraph.config import get_settings

    started = time.perf_counter()
    words = sum(len(t.split()) for t in texts)
    log(f"encoding {len(texts)} distinct texts ({words} words) with MiniLM ...")
    vectors = np.asarray(Embedder(get_settings().embedding_model).encode(texts), dtype=np.float32)
    log(f"  {time.perf_counter() - started:.0f} s ({words / (time.perf_counter() - started):.0f} words/s)")
    np.savez(cache, digest=digest, vectors=vectors)
    return vectors


def perturb(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row plus Gaussian noise (sigma 0.015-0.035 per dimension), renormalised."""
    sigma = rng.uniform(0.015, 0.035, size=(base.shape[0], 1)).astype(np.float32)
    out = base + rng.standard_normal(base.shape, dtype=np.float32) * sigma
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def normalise(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


# -- writing ------------------------------------------------------------------------------------

ITEM = """
UNWIND $rows AS row
CREATE (n:{label} {{id: row.id}}) SET n += row.props
"""
SOURCE = "UNWIND $rows AS row CREATE (s:Source {id: row.id}) SET s += row.props, s.ingested_at = datetime()"
CASE = """
UNWIND $rows AS row
MATCH (s:Source {id: row.source}), (i:Innovation {id: row.innovation})
CREATE (c:Case {id: row.id}) SET c += row.props
CREATE (c)-[:DESCRIBED_IN]->(s)
CREATE (c)-[:ABOUT]->(i)
CREATE (c)-[:IN_CONTEXT]->(x:Context {id: row.context.id}) SET x += row.context.props
"""
TEMPLATE_PARTS = """
UNWIND $rows AS row
MATCH (c:Case {id: row.case})
MERGE (con:Contributor {id: row.contributor.id}) SET con += row.contributor
CREATE (r:Revision {id: row.case + ':r1'}) SET r += row.revision, r.submitted_at = datetime()
CREATE (c)-[:HAS_REVISION]->(r)
CREATE (r)-[:SUBMITTED_BY]->(con)
FOREACH (a IN row.adoptions | CREATE (c)-[:HAS_ADOPTION]->(n:Adoption {id: a.id}) SET n += a.props)
"""
EXCERPT = """
UNWIND $rows AS row
MATCH (s:Source {id: row.source})
CREATE (e:Excerpt {id: row.id}) SET e += row.props
CREATE (e)-[:FROM]->(s)
WITH e, row WHERE row.case IS NOT NULL
MATCH (c:Case {id: row.case})
CREATE (c)-[:HAS_EXCERPT]->(e)
"""
SENTENCE = """
UNWIND $rows AS row
MATCH (e:Excerpt {id: row.excerpt})
CREATE (u:Sentence {id: row.id}) SET u += row.props
CREATE (u)-[:IN_EXCERPT]->(e)
"""
NEXT = """
UNWIND $pairs AS pair
MATCH (a:Sentence {id: pair[0]}), (b:Sentence {id: pair[1]})
CREATE (a)-[:NEXT]->(b)
"""
CLAIM = """
UNWIND $rows AS row
MATCH (c:Case {{id: row.case}}), (subject:{subject} {{id: row.subject}})
{object_match}
CREATE (cl:Claim {{id: row.id}}) SET cl += row.props
CREATE (c)-[:MAKES]->(cl)
CREATE (cl)-[:SUBJECT]->(subject)
{object_create}
WITH cl, row
OPTIONAL MATCH (e:Excerpt {{id: row.excerpt}})
OPTIONAL MATCH (s:Source {{id: row.source}}) WHERE e IS NULL
FOREACH (_ IN CASE WHEN e IS NULL THEN [] ELSE [1] END |
  CREATE (cl)-[:EVIDENCED_BY {{start: row.start, end: row.end}}]->(e))
FOREACH (_ IN CASE WHEN e IS NULL THEN [1] ELSE [] END | CREATE (cl)-[:EVIDENCED_BY]->(s))
"""
CODED = """
UNWIND $rows AS row
MATCH (n:{label} {{id: row.item}}), (k:{code} {{id: row.code}})
MERGE (n)-[:CODED_AS]->(k)
"""


def _batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def write_plan(driver: Driver, plan: GraphPlan, log=print) -> None:
    """Write the plan with batched UNWIND statements (one transaction per batch)."""

    def run(statement: str, rows: list[Any], size: int, what: str, key: str = "rows") -> None:
        started = time.perf_counter()
        for batch in _batches(rows, size):
            driver.execute_query(statement, {key: batch})
        log(f"  {what}: {len(rows)} in {time.perf_counter() - started:.1f} s")

    for label, rows in plan.items.items():
        run(ITEM.format(label=label), rows, 1000, label)
    run(SOURCE, plan.sources, 200, "Source")
    run(CASE, plan.case_rows(), 2000, "Case")
    run(TEMPLATE_PARTS, plan.template_parts, 1000, "Revision/Adoption")
    for label, rows in plan.owned.items():
        run(ITEM.format(label=label), rows, 5000, label)
    run(EXCERPT, plan.excerpt_rows(), 2000, "Excerpt")
    run(SENTENCE, plan.sentence_rows(), 2000, "Sentence")
    run(NEXT, plan.next_pairs, 10000, "NEXT", key="pairs")
    for (subject, obj), rows in plan.claims.items():
        statement = CLAIM.format(
            subject=subject,
            object_match=f"MATCH (object:{obj} {{id: row.object}})" if obj else "",
            object_create="CREATE (cl)-[:OBJECT]->(object)" if obj else "",
        )
        run(statement, rows, 5000, f"Claim {subject}->{obj or '-'}")
    for (label, code), rows in plan.coded.items():
        run(CODED.format(label=label, code=code), rows, 2000, f"CODED_AS {label}")


def counts(driver: Driver) -> dict[str, int]:
    labels = ("Source", "Case", "Excerpt", "Sentence", "Claim", "Barrier", "Approach", "Innovation")
    out = {}
    for label in labels:
        rows, _, _ = driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS n")
        out[label] = rows[0]["n"]
    return out


def wait_for_indexes(driver: Driver, log=print, timeout: float = 3600) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        rows, _, _ = driver.execute_query(
            "SHOW INDEXES YIELD name, state, populationPercent WHERE state <> 'ONLINE' RETURN name"
        )
        if not rows:
            return
        time.sleep(5)
    log("indexes still populating after the timeout")


def compact_vector_index(driver: Driver, name: str = "sentence_embedding", log=print) -> float:
    """Drop and re-create a vector index with its own configuration; seconds until ONLINE.

    Written in ~100 batches, the sentence index ended up in 53 Lucene segments, and an HNSW
    search visits every segment. Neo4j 5.26 does not merge while it first builds an index
    either (61 segments); with the local server's merge factor (graph/local_server.py,
    `VECTOR_MERGE_FACTOR`) the re-created index has 7 segments and a k = 200 query takes
    16 ms instead of 38.
    """
    rows, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, labelsOrTypes, properties, options WHERE name = $name "
        "RETURN labelsOrTypes[0] AS label, properties[0] AS prop, options.indexConfig AS config",
        name=name,
    )
    label, prop, config = rows[0]["label"], rows[0]["prop"], rows[0]["config"]
    started = time.perf_counter()
    driver.execute_query(f"DROP INDEX {name}")
    driver.execute_query(
        f"CREATE VECTOR INDEX {name} FOR (n:{label}) ON (n.{prop}) OPTIONS {{indexConfig: $config}}",
        config=config,
    )
    wait_for_indexes(driver, log)
    spent = time.perf_counter() - started
    log(f"  re-created vector index {name} in {spent:.0f} s")
    return spent


def build(driver: Driver, home: Path, excerpts: int, seed: int, log=print) -> dict[str, int]:
    """Plan, encode and write the graph; save the sentence vectors; return node counts."""
    started = time.perf_counter()
    rows, _, _ = driver.execute_query(
        "MATCH (k:CfirConstruct)-[:PART_OF*0..1]->(:CfirConstruct)-[:IN_DOMAIN]->(d:CfirDomain) "
        "RETURN d.number AS domain, collect(DISTINCT k.id) AS ids"
    )
    cfir = {r["domain"]: sorted(r["ids"]) for r in rows}
    rows, _, _ = driver.execute_query(
        "MATCH (s:EricStrategy)-[:IN_CLUSTER]->(k:EricCluster) RETURN k.number AS n, collect(s.id) AS ids"
    )
    eric = {int(r["n"]): sorted(r["ids"]) for r in rows}
    plan = plan_graph(excerpts, random.Random(seed), cfir, eric)
    log(f"planned in {time.perf_counter() - started:.0f} s: {plan.summary()}")
    base = encode_pool(plan.pool, home / "base_vectors.npz", log)
    plan.attach_vectors(base, np.random.default_rng(seed))
    np.save(home / "sentence_vectors.npy", plan.sentence_vectors)
    (home / "sentence_ids.json").write_text(json.dumps(plan.sentence_ids))
    write_plan(driver, plan, log)
    wait_for_indexes(driver, log)
    compact_vector_index(driver, "sentence_embedding", log)
    log(f"graph written in {time.perf_counter() - started:.0f} s")
    return counts(driver)


@contextmanager
def scale_graph(
    graph_dir: Path, excerpts: int = 100_000, seed: int = 7, log=print, rebuild: bool = False
) -> Iterator[Driver]:
    """A driver to a private local Neo4j holding the synthetic graph (built once, then reused)."""
    from bench.scratch import scratch_server

    os.environ.setdefault("SPREADGRAPH_NEO4J_HEAP", HEAP)
    os.environ.setdefault("SPREADGRAPH_NEO4J_PAGECACHE_MB", str(PAGECACHE_MB))
    wanted = _fingerprint(excerpts, seed)
    mark = graph_dir / "fingerprint.json"
    recorded = json.loads(mark.read_text()) if mark.exists() else None
    if rebuild or not recorded or recorded.get("params") != wanted:
        if graph_dir.exists():
            log(f"(re)building {graph_dir}: parameters changed or no finished graph there")
            shutil.rmtree(graph_dir)
        recorded = None
    graph_dir.mkdir(parents=True, exist_ok=True)
    with scratch_server(graph_dir, password=PASSWORD) as driver:
        if recorded is None:
            found = build(driver, graph_dir, excerpts, seed, log)
            mark.write_text(json.dumps({"params": wanted, "counts": found}, indent=1))
        else:
            found = counts(driver)
            if found != recorded["counts"]:
                raise SystemExit(f"{graph_dir}: counts {found} differ from the fingerprint {recorded}")
            log(f"reusing {graph_dir}: {found}")
        yield driver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=Path("/tmp/sg-scale"))
    parser.add_argument("--excerpts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--sample", action="store_true", help="print a few generated excerpts and exit")
    args = parser.parse_args(argv)
    if args.sample:
        plan = plan_graph(2000, random.Random(args.seed), {d: ["x"] for d in ["I", "II", "III", "IV", "V"]},
                          {n: ["x"] for n in range(1, 10)})  # fmt: skip
        for row in random.Random(1).sample(plan.excerpts, 8):
            print(f"- [{row['props']['kind']}, {row['props'].get('speaker_role')}] {row['props']['text']}")
        print(plan.summary(), f"{len(plan.pool)} base sentences", len(W.INNOVATIONS), "innovations")
        return 0
    with scale_graph(args.graph_dir, args.excerpts, args.seed, rebuild=args.rebuild) as driver:
        print(counts(driver))
    return 0


if __name__ == "__main__":
    sys.exit(main())
