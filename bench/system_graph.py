"""A throw-away local Neo4j holding the graph users get, for the search benchmarks.

Like tests/conftest.py: the project's own local server (embedded Neo4j) on a free loopback port
with its data under a folder of its own, started with `--parent-pid` so it dies with this
process. Two ways to fill it:

``make-run`` (the default)
    Exactly what ``make run`` does after ``spreadgraph init`` (the scratch server applies the same
    migrations): the real command line, run as subprocesses against the scratch server,

    1. ``spreadgraph ingest examples/cases`` (templates; the command then embeds nodes and
       writes search units, ``search.units.refresh``),
    2. ``spreadgraph ingest ../shared/corpus`` (documents and the coded-excerpt CSV, *with* the
       suggestion extractor, which is the command's default; the ingester's ``finish`` step
       writes the search units and embeds whatever still lacks a vector),
    3. ``spreadgraph review publish <the demo case ids> --reviewer "make run (demo data)"`` (only
       the demo cases). The cases the document ingester creates for each document (one per
       programme/project it finds) need no review: graph/documents.py creates them published, and
       the extractor's findings hang off them as *suggested* claims, so search shows them too.

    Any command failing stops the build, as it stops ``make run``.

``fast`` (``--mode fast``; the benchmarks' earlier graph)
    In process through ``ingest.dispatch``: documents first *without* the extractor, then the
    templates; then *every* pending case published and the search units written. Kept to compare
    against; it is not what users get.

With `--graph-dir DIR` the folder is kept, and a second run that finds a graph built there (in
the same mode: the mark file records it) reuses it, taking seconds instead of minutes; without
it a temporary folder is used and removed.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.system_graph --graph-dir /tmp/sg-bench-run   # build only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
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
BUILD_LOG = "bench-build.log"
MODES = ("make-run", "fast")
DEFAULT_MODE = "make-run"
#: The reviewer name `make run` publishes the demo cases as.
MAKE_RUN_REVIEWER = "make run (demo data)"
#: The mode of a graph built before modes were recorded (with or without the extractor: unknown).
LEGACY = "legacy"


def demo_case_ids(folder: Path = DEMO_CASES) -> list[str]:
    """The Makefile's DEMO_CASES: the base names of examples/cases/*.yaml, in name order."""
    return sorted(p.stem for p in folder.glob("*.yaml"))


def run_cli(args: list[str], log_file: Path, log=print) -> None:
    """`spreadgraph ARGS` as a subprocess of this interpreter, against the server this process's
    settings point at (the scratch server's environment is inherited); output appended to
    `log_file`; raises when the command fails."""
    command = [sys.executable, "-m", "spreadgraph.cli", *args]
    started = time.perf_counter()
    log(f"$ spreadgraph {' '.join(args)}")
    with log_file.open("a", encoding="utf-8") as out:
        out.write(f"\n$ spreadgraph {' '.join(args)}\n")
        out.flush()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "NO_COLOR": "1"}
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    tail = log_file.read_text(encoding="utf-8").strip().splitlines()[-1:]
    log(f"  exit {done.returncode} after {time.perf_counter() - started:.0f} s: {' '.join(tail)[:160]}")
    if done.returncode != 0:
        raise RuntimeError(f"`spreadgraph {' '.join(args)}` failed (exit {done.returncode}); see {log_file}")


def build_make_run(corpus: Path, home: Path, log=print) -> None:
    """The `make run` ingest, publish and adapt steps, through the real command line."""
    log_file = home / BUILD_LOG
    run_cli(["ingest", str(DEMO_CASES)], log_file, log)
    if corpus.is_dir():
        run_cli(["ingest", str(corpus)], log_file, log)
    else:
        log(f"{corpus} is absent: demo cases only (as `make run` does without ../shared)")
    run_cli(["review", "publish", *demo_case_ids(), "--reviewer", MAKE_RUN_REVIEWER], log_file, log)
    run_cli(["adapt"], log_file, log)


def ingest_all(paths: list[Path], log=print, extract: bool = False) -> None:
    """Ingest files and folders through `ingest.dispatch` in process (the ``fast`` mode).

    Documents go through `ingest_document(extract=extract)` (without the suggestion extractor
    by default), then templates and other kinds.
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
    """Publish every pending case (the ``fast`` mode; `make run` publishes the demo cases only)."""
    rows, _, _ = driver.execute_query(
        "MATCH (c:Case {status: 'pending'}) SET c.status = 'published', c.reviewed_by = 'bench' "
        "RETURN count(c) AS n"
    )
    return rows[0]["n"]


def build_fast(driver: Driver, corpus: Path, log=print) -> None:
    """The benchmarks' earlier graph: no extractor, every pending case published."""
    from spreadgraph.search.embedder import Embedder
    from spreadgraph.search.indexing import embed_missing
    from spreadgraph.search.units import index_sentences

    from spreadgraph.config import get_settings

    ingest_all([corpus, DEMO_CASES], log, extract=False)
    log(f"published {publish_all(driver)} cases")
    embedder = Embedder(get_settings().embedding_model)
    units = index_sentences(driver, embedder)
    embed_missing(driver, embedder, ["Case", "Innovation", "Barrier", "Enabler", "Approach"])
    log(f"search units: {sum(units.values())} over {len(units)} sources")


def read_mark(home: Path) -> dict[str, object] | None:
    """What the mark file of a built graph records (mode, seconds), or None when none was built.
    A mark from before modes existed records no mode (:data:`LEGACY`)."""
    mark = home / DONE_MARK
    if not mark.exists():
        return None
    text = mark.read_text(encoding="utf-8").strip()
    try:
        return dict(json.loads(text))
    except ValueError:
        return {"mode": LEGACY, "seconds": text}


def graph_summary(driver: Driver) -> dict[str, int]:
    """Node counts the reports print beside the scores (what the graph holds)."""
    rows, _, _ = driver.execute_query(
        "MATCH (n) WHERE n:Sentence OR n:Excerpt OR n:Source OR n:Barrier OR n:Enabler OR n:Approach "
        "OR n:Outcome OR n:Lesson RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
    )
    summary = {r["label"]: r["n"] for r in rows}
    rows, _, _ = driver.execute_query("MATCH (c:Case) RETURN c.status AS status, count(*) AS n")
    summary.update({f"Case {r['status']}": r["n"] for r in rows})
    return summary


@contextmanager
def bench_graph(
    graph_dir: Path | None = None,
    corpus: Path | None = None,
    log=print,
    extract: bool | None = None,
    mode: str = DEFAULT_MODE,
) -> Iterator[Driver]:
    """A driver to a Neo4j holding the benchmark graph (built in `mode`, or reused).

    `extract` is the old keyword: ``extract=False`` asks for the ``fast`` graph, ``extract=True``
    for the ``make-run`` one (which runs the extractor).
    """
    from bench.scratch import scratch_server

    if extract is not None:
        mode = "make-run" if extract else "fast"
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    corpus = corpus or SHARED / "corpus"
    temp = graph_dir is None
    home = Path(tempfile.mkdtemp(prefix="sg-bench-")) if temp else graph_dir
    home.mkdir(parents=True, exist_ok=True)
    mark = read_mark(home)
    if mark is not None and mark.get("mode") == LEGACY:
        log(f"warning: {home} was built before build modes were recorded; reusing it as it is")
    elif mark is not None and mark.get("mode") != mode:
        raise RuntimeError(
            f"{home} holds a {mark.get('mode')!r} graph, not {mode!r}: use another --graph-dir or delete it"
        )
    try:
        with scratch_server(home, password="bench-password") as driver:
            if mark is None:
                started = time.perf_counter()
                log(f"building the {mode!r} graph in {home} ...")
                if mode == "make-run":
                    build_make_run(corpus, home, log)
                else:
                    build_fast(driver, corpus, log)
                seconds = round(time.perf_counter() - started)
                (home / DONE_MARK).write_text(json.dumps({"mode": mode, "seconds": seconds}) + "\n")
                log(f"graph built in {seconds} s: {graph_summary(driver)}")
            else:
                log(f"reusing the {mark.get('mode')!r} graph in {home} (built in {mark.get('seconds')} s)")
                if mark.get("mode") != "make-run":  # as before: units of a changed units module
                    from spreadgraph.search.embedder import Embedder
                    from spreadgraph.search.units import index_sentences

                    from spreadgraph.config import get_settings

                    index_sentences(driver, Embedder(get_settings().embedding_model))
            yield driver
    finally:
        if temp:
            shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--graph-dir", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--mode", choices=MODES, default=DEFAULT_MODE, help="default: make-run")
    parser.add_argument("--extract", action="store_true", help="old flag: the make-run graph extracts")
    args = parser.parse_args(argv)
    with bench_graph(args.graph_dir, args.corpus, mode="make-run" if args.extract else args.mode) as driver:
        print(graph_summary(driver))
    return 0


if __name__ == "__main__":
    sys.exit(main())
