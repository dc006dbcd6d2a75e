"""What-worked benchmark: does `/api/what-worked` find the right case, and its approaches?

For every case of the dev extraction gold (``../shared/eval/dev_extraction/*.json``,
``documents[].cases[]``: 1 case in document 001, 7 in 002) the real web API is asked, through
FastAPI's TestClient against the bench graph (bench/system_graph.py; by default the graph
``make run`` serves), ``GET /api/what-worked?q=<description>`` with default filters, where the
description is the gold case's innovation and its first context (:func:`case_query`)::

    <innovation name>: <innovation description> Context: <setting>; <sector>; <country>.

Matching (all cosines are the packaged MiniLM's, on unit vectors; threshold :data:`MATCH` = 0.6):

* **a returned case is the gold case** when it comes from the gold case's document *and* its
  title or innovation name is close to the gold case's name or innovation name (the best of the
  four cosines >= 0.6). "Comes from the document": the case is ``DESCRIBED_IN`` a ``Source``
  whose ``file_name`` is the gold file (the cases the document ingester creates), or
  ``DESCRIBED_IN`` a cited source without a file whose title (the template's citation) has cosine
  >= 0.6 with the gold document's title (the demo case templates, which cite the report);
* **case@3**: the gold case is among the first 3 similar cases returned (the API returns at most
  6); the rank of the first matching case is reported too;
* **approach recall@10**: the share of the gold case's approaches (by ``name``) that have a
  returned approach among the first 10 whose name has cosine >= 0.6 with it. The service returns
  at most 8 approaches (``search.what_worked.MAX_ITEMS``), so this is recall over all of them.
  Reported as the mean over cases (macro) and over all gold approaches (micro).

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.what_worked --graph-dir /tmp/sg-bench-run [--per-case] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_GOLD = SHARED / "eval" / "dev_extraction"
MATCH = 0.6
TOP_CASES = 3
TOP_APPROACHES = 10

Encode = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class GoldCase:
    """One case of the extraction gold: what the service is asked and what it should find."""

    file: str
    document_title: str
    name: str
    innovation: str
    query: str
    approaches: tuple[str, ...]


def case_query(case: dict) -> str:
    """The what-worked question for a gold case: its innovation and its first context."""
    innovation = case.get("innovation") or {}
    text = f"{innovation.get('name', case.get('case_name', ''))}: {innovation.get('description', '')}".strip()
    contexts = case.get("contexts") or []
    if contexts:
        parts = [contexts[0].get(key) for key in ("setting", "sector", "country")]
        text += " Context: " + "; ".join(p for p in parts if p) + "."
    return text


def gold_cases(folder: Path) -> list[GoldCase]:
    """Every case of every gold file, in file order."""
    cases = []
    for path in sorted(folder.glob("*.json")):
        for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            for case in doc["cases"]:
                cases.append(
                    GoldCase(
                        file=doc["file"],
                        document_title=doc.get("title") or "",
                        name=case.get("case_name") or "",
                        innovation=(case.get("innovation") or {}).get("name") or "",
                        query=case_query(case),
                        approaches=tuple(a["name"] for a in case.get("approaches", []) if a.get("name")),
                    )
                )
    return cases


class Similarity:
    """MiniLM cosines with a memo (texts repeat across cases)."""

    def __init__(self, encode: Encode) -> None:
        self.encode = encode
        self.vectors: dict[str, list[float]] = {}

    def __call__(self, a: str, b: str) -> float:
        missing = [t for t in {a, b} if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.encode(missing), strict=True))
        return float(sum(x * y for x, y in zip(self.vectors[a], self.vectors[b], strict=True)))

    def best(self, left: Sequence[str], right: Sequence[str]) -> float:
        pairs = [(a, b) for a in left if a for b in right if b]
        return max((self(a, b) for a, b in pairs), default=0.0)


@dataclass(frozen=True)
class CaseSources:
    """Where a graph case comes from: files of its document sources, titles of cited ones."""

    files: tuple[str, ...]
    cited_titles: tuple[str, ...]


def case_sources(driver: object, case_ids: Sequence[str]) -> dict[str, CaseSources]:
    """Each case's `DESCRIBED_IN` sources (read from the graph for scoring only)."""
    rows, _, _ = driver.execute_query(
        "UNWIND $ids AS id MATCH (c:Case {id: id}) OPTIONAL MATCH (c)-[:DESCRIBED_IN]->(s:Source) "
        "RETURN c.id AS id, collect(DISTINCT s.file_name) AS files, "
        "collect(DISTINCT CASE WHEN s.file_name IS NULL THEN s.title END) AS cited",
        ids=list(case_ids),
    )
    return {
        r["id"]: CaseSources(
            tuple(f for f in r["files"] if f and not f.endswith((".yaml", ".yml", ".json"))),
            tuple(t for t in r["cited"] if t),
        )
        for r in rows
    }


def from_document(sources: CaseSources, gold: GoldCase, sim: Similarity) -> bool:
    """The case comes from the gold case's document (see the module docstring)."""
    if any(Path(f).name == gold.file for f in sources.files):
        return True
    return sim.best(sources.cited_titles, [gold.document_title]) >= MATCH


def is_gold_case(case: dict, sources: CaseSources, gold: GoldCase, sim: Similarity) -> bool:
    """A returned similar case is the gold case: same document and a close title or innovation."""
    if not from_document(sources, gold, sim):
        return False
    names = [case.get("title") or "", ((case.get("innovation") or {}).get("name")) or ""]
    return sim.best(names, [gold.name, gold.innovation]) >= MATCH


@dataclass
class CaseOutcome:
    """One gold case's result."""

    file: str
    case: str
    case_rank: int | None
    top_cases: list[str]
    approaches_found: int
    approaches_gold: int
    found: list[str] = field(default_factory=list)
    returned_approaches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.approaches_found / self.approaches_gold if self.approaches_gold else 0.0


def score_case(
    gold: GoldCase, answer: dict, sources: dict[str, CaseSources], sim: Similarity, seconds: float = 0.0
) -> CaseOutcome:
    """Case rank and approach recall of one what-worked answer."""
    cases = answer.get("cases") or []
    rank = next(
        (
            i
            for i, case in enumerate(cases, start=1)
            if is_gold_case(case, sources.get(case["id"], CaseSources((), ())), gold, sim)
        ),
        None,
    )
    returned = [a["name"] for a in (answer.get("approaches") or [])[:TOP_APPROACHES]]
    found = [g for g in gold.approaches if sim.best([g], returned) >= MATCH]
    return CaseOutcome(
        file=gold.file,
        case=gold.name,
        case_rank=rank,
        top_cases=[f"{c['id']} ({c.get('title')})" for c in cases[:TOP_CASES]],
        approaches_found=len(found),
        approaches_gold=len(gold.approaches),
        found=found,
        returned_approaches=returned,
        seconds=seconds,
    )


def summary(outcomes: Sequence[CaseOutcome]) -> dict[str, float]:
    """case@3, case MRR (within the returned list), approach recall@10 macro and micro."""
    n = len(outcomes) or 1
    gold = sum(o.approaches_gold for o in outcomes) or 1
    return {
        "cases": len(outcomes),
        f"case@{TOP_CASES}": sum(1 for o in outcomes if o.case_rank and o.case_rank <= TOP_CASES) / n,
        "case@1": sum(1 for o in outcomes if o.case_rank == 1) / n,
        "case_mrr": sum(1 / o.case_rank for o in outcomes if o.case_rank) / n,
        f"approach_recall@{TOP_APPROACHES}_macro": sum(o.recall for o in outcomes) / n,
        f"approach_recall@{TOP_APPROACHES}_micro": sum(o.approaches_found for o in outcomes) / gold,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from bench.system_graph import DEFAULT_MODE, MODES

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="the dev extraction gold folder")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--model", default=os.environ.get("SPREADGRAPH_EMBEDDING_MODEL", "all-MiniLM-L6-v2"))
    parser.add_argument("--graph-mode", choices=MODES, default=DEFAULT_MODE)
    parser.add_argument("--graph-dir", type=Path, default=None, help="keep/reuse the bench graph here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--per-case", action="store_true", help="print each case's top cases and approaches")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = parse_args(argv)
    if not args.gold.is_dir():
        print(f"skipped: {args.gold} is absent (the shared eval folder is not beside this clone)")
        return 0
    from fastapi.testclient import TestClient
    from spreadgraph.search.embedder import Embedder

    from bench.system_graph import bench_graph

    started = time.perf_counter()
    golds = gold_cases(args.gold)
    sim = Similarity(Embedder(args.model).encode)
    outcomes: list[CaseOutcome] = []
    with ExitStack() as stack:
        log = lambda message: print(message, file=sys.stderr)  # noqa: E731
        driver = stack.enter_context(bench_graph(args.graph_dir, args.corpus, log=log, mode=args.graph_mode))
        from spreadgraph.webui.app import create_app

        client = stack.enter_context(TestClient(create_app(allowed_hosts=("testserver",))))
        built = time.perf_counter() - started
        for gold in golds:
            began = time.perf_counter()
            response = client.get("/api/what-worked", params={"q": gold.query})
            if response.status_code != 200:
                raise RuntimeError(f"/api/what-worked answered {response.status_code}: {response.text[:300]}")
            answer = response.json()
            seconds = time.perf_counter() - began
            sources = case_sources(driver, [c["id"] for c in answer.get("cases") or []])
            outcomes.append(score_case(gold, answer, sources, sim, seconds))
    total = time.perf_counter() - started
    result = summary(outcomes)
    if args.json:
        print(
            json.dumps(
                {
                    "graph_mode": args.graph_mode,
                    "match_cosine": MATCH,
                    "summary": result,
                    "cases": [{**asdict(o), "recall": round(o.recall, 3)} for o in outcomes],
                    "graph_s": round(built, 1),
                    "total_s": round(total, 1),
                },
                indent=2,
            )
        )
        return 0
    print(f"what-worked on the {args.graph_mode!r} graph: {len(golds)} gold cases from {args.gold}")
    print(f"matching: MiniLM cosine >= {MATCH}; case@{TOP_CASES}, approach recall@{TOP_APPROACHES}")
    width = max(len(o.case) for o in outcomes) if outcomes else 10
    print(f"{'file':<5} {'gold case':<{width}}  rank  approaches found/gold  recall  seconds")
    for o in outcomes:
        rank = o.case_rank or "-"
        found = f"{o.approaches_found:>10d}/{o.approaches_gold:<4d}"
        print(f"{o.file[:3]:<5} {o.case:<{width}}  {rank!s:>4}  {found}  {o.recall:10.2f}  {o.seconds:7.2f}")
        if args.per_case:
            print(f"      top cases: {'; '.join(o.top_cases)}")
            print(f"      returned approaches: {'; '.join(o.returned_approaches)}")
            print(f"      gold approaches found: {'; '.join(o.found)}")
    print("; ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()))
    print(f"graph (build or reuse): {built:.1f} s; total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
