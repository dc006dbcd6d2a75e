"""Neo4j start-up time of the project-managed local server.

Measures, in one run: a cold start (empty data folder: creates the system and neo4j
databases), a warm start (existing data), and `spreadgraph init` on an empty and on a
migrated database. As a same-run baseline it times a bare JVM start (`java -version`), so
the ratio is comparable across noisy machines.

    .venv/bin/python bench/startup.py [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from spreadgraph.graph.connection import close_drivers, get_driver
from spreadgraph.graph.local_server import LocalNeo4j, _java
from spreadgraph.graph.migrate import migrate
from spreadgraph.schema.migrations import MigrationContext
from spreadgraph.search.embedder import embedding_dimension

from bench.scratch import free_port
from spreadgraph.config import Settings


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def run(repeat: int) -> dict[str, float]:
    jvm = [timed(lambda: subprocess.run([_java(), "-version"], capture_output=True)) for _ in range(repeat)]
    cold, warm, init_empty, init_again = [], [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(
                SPREADGRAPH_HOME=Path(home), SPREADGRAPH_NEO4J_PORT=free_port(), NEO4J_PASSWORD="bench-pass"
            )
            server = LocalNeo4j(settings, parent_pid=os.getpid())
            server.build()
            cold.append(timed(server.start))
            ctx = MigrationContext(embedding_dimension(settings.embedding_model))
            init_empty.append(timed(lambda s=settings, c=ctx: migrate(c, get_driver(s))))
            init_again.append(timed(lambda s=settings, c=ctx: migrate(c, get_driver(s))))
            close_drivers()
            server.stop()
            warm.append(timed(server.start))
            server.stop()
    med = statistics.median
    return {
        "jvm_start_s": med(jvm),
        "neo4j_cold_start_s": med(cold),
        "neo4j_warm_start_s": med(warm),
        "warm_start_over_jvm": med(warm) / med(jvm),
        "init_empty_db_s": med(init_empty),
        "init_migrated_db_s": med(init_again),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = run(args.repeat)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, value in figures.items():
            print(f"{name:<24} {value:8.2f}")


if __name__ == "__main__":
    main()
