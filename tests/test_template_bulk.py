"""Bulk template ingest (many files per transaction) against the real Neo4j: the same graph as one
transaction per case, idempotent, revisions, invalid files and refused files isolated."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml
from neo4j import Driver
from neo4j.exceptions import Neo4jError
from spreadgraph.graph.connection import read, write
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.dispatch import expand
from spreadgraph.ingest.templates.bulk import BulkIngest
from spreadgraph.ingest.templates.problems import TemplateInvalid, TemplateWriteFailed
from spreadgraph.ingest.templates.template_ingest import ingest_file
from spreadgraph.schema import vocab

from bench.template_ingest import make_template, timeless
from tests.conftest import wipe_data
from tests.test_local_server import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"


def _folder(tmp_path: Path, generated: int = 20, seed: int = 11) -> Path:
    """The demo templates plus `generated` synthetic ones that share barriers, approaches and
    innovations (some with aliases), in one folder."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    rng = random.Random(seed)
    cfir = sorted(vocab.cfir().names.values())
    eric = sorted(vocab.eric().names.values())
    for n in range(generated):
        data = make_template(n, rng, cfir, eric)
        if n % 5 == 0:
            data["barriers"][0]["aliases"] = [f"Alias {n} of {data['barriers'][0]['name']}"]
        (folder / f"gen-{n:03d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def _bulk(paths: list[Path], batch_size: int = 7) -> tuple[list, BulkIngest]:
    bulk = BulkIngest(batch_size=batch_size)
    return [outcome for _, outcome in bulk.run(paths)], bulk


def _summary(results: list) -> list[tuple]:
    return [(r.case_id, r.action, r.revision, r.changes, r.notes) for r in results]


def _revise(path: Path) -> None:
    """Drop the first barrier (and any link to it) and reword the summary."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    gone = data["barriers"].pop(0)["name"]
    data["links"] = [
        link for link in data.get("links", []) if vocab.normalise(link["barrier"]) != vocab.normalise(gone)
    ]
    data["summary"] += " Revised after the second year."
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_bulk_makes_the_per_case_graph_and_reingest_writes_nothing(graph: Driver, tmp_path: Path) -> None:
    paths = expand([_folder(tmp_path)])
    per_case = [ingest_file(p) for p in paths]
    expected = timeless(graph)
    wipe_data(graph)

    results, bulk = _bulk(paths)
    assert not bulk.splits
    assert _summary(results) == _summary(per_case)
    assert {r.action for r in results} == {"created"}
    assert timeless(graph) == expected

    once = fingerprint()
    again, _ = _bulk(paths, batch_size=250)
    assert {r.action for r in again} == {"unchanged"}
    assert fingerprint() == once


def test_changed_templates_get_revisions_as_per_case(graph: Driver, tmp_path: Path) -> None:
    paths = expand([_folder(tmp_path, generated=12)])
    changed = [p for p in paths if p.name.startswith("gen-")][:4]

    def run(ingest) -> tuple[list, tuple]:
        wipe_data(graph)
        for path in paths:
            shutil.copy(path, path.with_suffix(".orig"))
        ingest(paths)
        for path in changed:
            _revise(path)
        results = ingest(paths)
        for path in paths:
            shutil.move(path.with_suffix(".orig"), path)
        return results, timeless(graph)

    bulk, bulk_graph = run(lambda ps: _bulk(ps, batch_size=5)[0])
    per_case, per_case_graph = run(lambda ps: [ingest_file(p) for p in ps])
    assert _summary(bulk) == _summary(per_case)
    assert bulk_graph == per_case_graph
    revised = [r for r in bulk if r.action == "revised"]
    assert len(revised) == len(changed) and {r.revision for r in revised} == {2}
    assert all("summary" in r.changes and "barriers[1]" in " ".join(r.changes) for r in revised)
    assert {r.action for r in bulk if r not in revised} == {"unchanged"}
    counts = read(
        "UNWIND $ids AS id MATCH (:Case {id: id})-[:HAS_REVISION]->(r:Revision) RETURN id, count(r) AS n",
        {"ids": [r.case_id for r in revised]},
    )
    assert {row["n"] for row in counts} == {2}


def test_invalid_file_is_reported_and_the_others_are_written(graph: Driver, tmp_path: Path) -> None:
    folder = _folder(tmp_path, generated=6)
    bad = folder / "gen-002.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("spread_status:", "spread_state:"), encoding="utf-8"
    )
    paths = expand([folder])

    results, bulk = _bulk(paths, batch_size=250)
    failed = {p: r for p, r in zip(paths, results, strict=True) if isinstance(r, Exception)}
    assert list(failed) == [bad] and isinstance(failed[bad], TemplateInvalid)
    rendered = [p.render() for p in failed[bad].problems]
    assert any("spread_state" in line and "is not a field" in line for line in rendered), rendered
    assert not bulk.splits
    written = [r for r in results if not isinstance(r, Exception)]
    assert {r.action for r in written} == {"created"} and len(written) == len(paths) - 1
    assert read("MATCH (c:Case) RETURN count(c) AS n")[0]["n"] == len(written)
    assert read("MATCH (s:Source {file_name: $name}) RETURN count(s) AS n", {"name": bad.name})[0]["n"] == 0


def test_refused_file_splits_its_batch_and_the_others_land(graph: Driver, tmp_path: Path) -> None:
    """A Revision left behind by a case deleted by hand (`MATCH (c:Case {id: ...}) DETACH DELETE c`)
    makes the case's first revision break the Revision id constraint: the database refuses that
    file (as it does one transaction per case), so its batch is halved until it is alone."""
    folder = _folder(tmp_path, generated=10)
    paths = expand([folder])
    refused = folder / "gen-006.yaml"
    case_id = "case:" + yaml.safe_load(refused.read_text(encoding="utf-8"))["id"]
    write("CREATE (:Revision {id: $id, number: 1})", {"id": case_id + ":r1"})
    with pytest.raises(Neo4jError, match="already exists"):  # one transaction per case refuses it too
        ingest_file(refused)

    results, bulk = _bulk(paths, batch_size=250)
    outcome = dict(zip(paths, results, strict=True))
    assert isinstance(outcome[refused], TemplateWriteFailed)
    assert "nothing was written" in str(outcome[refused])
    assert bulk.splits and bulk.splits[0].files == len(paths)
    assert "was split and retried" in bulk.splits[0].render()
    others = [r for p, r in outcome.items() if p != refused]
    assert all(not isinstance(r, Exception) and r.action == "created" for r in others)
    assert read("MATCH (c:Case) RETURN count(c) AS n")[0]["n"] == len(others)
    assert read("MATCH (c:Case {id: $id}) RETURN count(c) AS n", {"id": case_id})[0]["n"] == 0
    assert read(
        "MATCH (n) WHERE n.id STARTS WITH $prefix RETURN collect(labels(n)[0]) AS found",
        {"prefix": case_id},
    )[0]["found"] == ["Revision"]  # only the stray one: nothing of the refused file


def test_cli_reports_the_split_and_the_refused_file(graph: Driver, tmp_path: Path) -> None:
    folder = _folder(tmp_path, generated=3)
    refused = folder / "gen-001.yaml"
    case_id = "case:" + yaml.safe_load(refused.read_text(encoding="utf-8"))["id"]
    write("CREATE (:Revision {id: $id, number: 1})", {"id": case_id + ":r1"})
    files = len(expand([folder]))

    done = cli("ingest", "--no-embed", str(folder))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{refused}: the database refused it" in done.stderr
    assert "was split and retried" in done.stdout
    assert f"{files - 1} of {files} file(s) ingested" in done.stderr
    assert done.stdout.count(": created case:") == files - 1
