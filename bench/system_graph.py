"""A throw-away local Neo4j holding the shared corpus and the demo templates, for the search benchmarks.

Like tests/conftest.py: the project's own local server (embedded Neo4j) on a free loopback port
with its data under a folder of its own, started with `--parent-pid` so it dies with this
process. The graph is filled with the project's own ingest path (`ingest.dispatch`: documents
with extraction and excerpt embeddings, then case templates), the demo cases are published (as
`make run` does), and `search.units.index_sentences` writes and embeds the search units.

With `--graph-dir DIR` the folder is kept, and a second run that finds a built graph there
reuses it (seconds instead of minutes); without it a temporary folder is used and removed.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.system_graph --graph-dir /tmp/sg-bench   # build only
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neo4j import Driver

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO_CASES = ROOT / "examples" / "cases"
DONE_MARK = "spreadgraph-bench-built"


def ingest_all(paths: list[Path], log=print, extract: bool = False) -> None:
    """Ingest files and folders through `ingest.dispatch`, as `spreadgraph ingest` does.

    Documents go through `graph.documents.ingest_document(extract=extract)`; by default without
    the suggestion extractor, which on this shared 2-core machine takes ~15 minutes for the
    smallest corpus document and plays no part in excerpt retrieval. `--extract` runs it.
    """
    from spreadgraph.ingest.dispatch import expand, kind_of
    from spreadgraph.ingest.documents.ingester import ingest_document

    files = expand(paths)
    by_kind: dict[str, list[Path]] = {}
    for path in files:
        kind = kind_of(path)
        if kind is not None:
            by_kind.setdefault(kind.name, []).append(path)
    for name in sorted(by_kind, key=lambda n: n != "document"):
        kind = next(k for k in (kind_of(p) for p in by_kind[name]) if k)
        if name == "document" and not extract:
            for path in by_kind[name]:
                log(f"  {path.name}: {ingest_document(path, extract=False).summary()[:140]}")
        elif kind.ingest_batch is not None:
            for path, result in kind.ingest_batch(by_kind[name], None):
                log(f"  {path.name}: {str(result).splitlines()[0][:140]}")
        else:
            for path in by_kind[name]:
                log(f"  {path.name}: {kind.ingest(path).splitlines()[0][:140]}")


def publish_all(driver: Driver) -> int:
    rows, _, _ = driver.execute_query(
        "MATCH (c:Case {status: 'pending'}) SET c.status = 'published', c.reviewed_by = 'bench' "
        "RETURN count(c) AS n"
    )
    return rows[0]["n"]


@contextmanager
def bench_graph(
    graph_dir: Path | None = None, corpus: Path | None = None, log=print, extract: bool = False
) -> Iterator[Driver]:
    """A driver to a Neo4j holding corpus + demo templates + search units (built or reused)."""
    from spreadgraph.search.embedder import Embedder
    from spreadgraph.search.indexing import embed_missing
    from spreadgraph.search.units import index_sentences

    from bench.scratch import scratch_server
    from spreadgraph.config import get_settings

    corpus = corpus or SHARED / "corpus"
    temp = graph_dir is None
    home = Path(tempfile.mkdtemp(prefix="sg-bench-")) if temp else graph_dir
    home.mkdir(parents=True, exist_ok=True)
    try:
        with scratch_server(home, password="bench-password") as driver:
            settings = get_settings()
            if not (home / DONE_MARK).exists():
                started = time.perf_counter()
                log(f"ingesting {corpus} and {DEMO_CASES} ...")
                ingest_all([corpus, DEMO_CASES], log, extract)
                log(f"published {publish_all(driver)} demo cases")
                embedder = Embedder(settings.embedding_model)
                units = index_sentences(driver, embedder)
                embed_missing(driver, embedder, ["Case", "Innovation", "Barrier", "Enabler", "Approach"])
                log(f"search units: {sum(units.values())} over {len(units)} sources")
                (home / DONE_MARK).write_text(f"{time.perf_counter() - started:.0f} s\n")
                log(f"graph built in {time.perf_counter() - started:.0f} s")
            else:
                index_sentences(driver, Embedder(settings.embedding_model))
            yield driver
    finally:
        if temp:
            shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=None)
    parser.add_argument("--extract", action="store_true", help="also run the suggestion extractor")
    args = parser.parse_args(argv)
    with bench_graph(args.graph_dir, extract=args.extract) as driver:
        rows, _, _ = driver.execute_query(
            "MATCH (n) WHERE n:Sentence OR n:Excerpt OR n:Case OR n:Source "
            "RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
        )
        print({r["label"]: r["n"] for r in rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
