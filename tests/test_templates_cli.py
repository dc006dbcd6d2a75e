"""`spreadgraph validate`, `ingest` and `review` run as a subprocess against the session's Neo4j."""

from __future__ import annotations

import shutil
from pathlib import Path

from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.snapshot import fingerprint

from tests.test_local_server import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"
DEMO = sorted(EXAMPLES.glob("*.yaml"))
PFCC2 = EXAMPLES / "pfcc-phase-2-peer-coaching.yaml"
WIDE = {"COLUMNS": "250"}  # so rich does not fold case ids in the review table


def test_validate_valid_demo_template_exits_0() -> None:
    done = cli("validate", str(PFCC2))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{PFCC2}: ok" in done.stdout
    assert "1 file(s) checked, 0 with problems" in done.stderr


def test_validate_bad_template_exits_1_with_line_and_field(tmp_path: Path) -> None:
    text = PFCC2.read_text(encoding="utf-8")
    assert "    cfir: Culture\n" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("    cfir: Culture\n", "    cfir: Not a construct\n", 1), encoding="utf-8")
    line = bad.read_text(encoding="utf-8").splitlines().index("    cfir: Not a construct") + 1

    done = cli("validate", str(bad))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"line {line}, barriers[3].cfir: " in done.stdout
    assert "'Not a construct' is not a CFIR 2.0 construct" in done.stdout
    assert "1 file(s) checked, 1 with problems" in done.stderr


def test_ingest_bad_file_exits_1_and_writes_nothing(graph: Driver, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        PFCC2.read_text(encoding="utf-8").replace("title: PFCC", "title: [PFCC", 1), encoding="utf-8"
    )
    before = fingerprint()
    done = cli("ingest", str(bad))
    assert done.returncode == 1
    assert "not ingested; nothing was written" in done.stderr
    assert fingerprint() == before


def test_ingest_dir_then_review_list_publish_reject(graph: Driver, tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    picked = (PFCC2, EXAMPLES / "ctg-myrecord.yaml", EXAMPLES / "escape-pain-spread.yaml")
    for path in picked:
        shutil.copy(path, folder / path.name)

    first = cli("ingest", str(folder))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "3 of 3 file(s) ingested" in first.stderr
    cases = read("MATCH (c:Case) RETURN c.id AS id, c.status AS status ORDER BY id")
    assert [c["id"] for c in cases] == [
        "case:ctg-myrecord",
        "case:escape-pain-spread",
        "case:pfcc-phase-2-peer-coaching",
    ]
    assert {c["status"] for c in cases} == {"pending"}
    once = fingerprint()
    assert once.nodes > len(picked) and once.relationships > 0

    again = cli("ingest", str(folder))
    assert again.returncode == 0, again.stdout + again.stderr
    assert fingerprint() == once

    listed = cli("review", "list", env=WIDE)
    assert listed.returncode == 0, listed.stderr
    assert all(c["id"] in listed.stdout for c in cases) and "3 case(s)" in listed.stdout

    published = cli("review", "publish", "pfcc-phase-2-peer-coaching", "--reviewer", "ed")
    assert published.returncode == 0, published.stderr
    assert "published case:pfcc-phase-2-peer-coaching" in published.stdout

    reason = "Outcome claims need a source we can check"
    rejected = cli("review", "reject", "case:ctg-myrecord", "--reason", f"  {reason} ", "--reviewer", "ed")
    assert rejected.returncode == 0, rejected.stderr
    assert f"rejected case:ctg-myrecord: {reason}" in rejected.stdout

    rows = read(
        "MATCH (c:Case) RETURN c.id AS id, c.status AS status, c.reviewed_by AS by, "
        "c.review_note AS note, c.reviewed_at IS NOT NULL AS dated ORDER BY id"
    )
    assert rows == [
        {"id": "case:ctg-myrecord", "status": "rejected", "by": "ed", "note": reason, "dated": True},
        {"id": "case:escape-pain-spread", "status": "pending", "by": None, "note": None, "dated": False},
        {
            "id": "case:pfcc-phase-2-peer-coaching",
            "status": "published",
            "by": "ed",
            "note": None,
            "dated": True,
        },
    ]

    shown = cli("review", "list", "--status", "published", env=WIDE)
    assert "case:pfcc-phase-2-peer-coaching" in shown.stdout and "case:ctg-myrecord" not in shown.stdout
    assert "1 case(s)" in shown.stdout

    before = fingerprint()
    missing = cli("review", "publish", "no-such-case")
    assert missing.returncode != 0
    assert "no case has the id 'case:no-such-case'" in missing.stdout + missing.stderr
    assert fingerprint() == before
