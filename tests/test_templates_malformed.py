"""Bad templates: each gives a clear message naming the problem and leaves the graph unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.templates.checks import validate
from spreadgraph.ingest.templates.loader import load_text
from spreadgraph.ingest.templates.problems import TemplateInvalid
from spreadgraph.ingest.templates.template_ingest import check_file, ingest_bytes, ingest_file

VALID = (
    Path(__file__).resolve().parents[1] / "examples" / "cases" / "pfcc-phase-2-peer-coaching.yaml"
).read_text(encoding="utf-8")


def edit(old: str, new: str) -> bytes:
    assert old in VALID, old
    return VALID.replace(old, new, 1).encode("utf-8")


# (name, bytes, words the message must contain)
CASES: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("yaml-syntax", edit("title: PFCC", "title: [PFCC"), ("not valid YAML",)),
    ("bad-indent", edit("  name: Patient", "    name: Patient"), ("not valid YAML",)),
    ("tab-indent", edit("  type: improvement", "\ttype: improvement"), ("not valid YAML",)),
    ("empty", b"", ("empty",)),
    ("only-comments", b"# nothing here\n  \n", ("empty",)),
    ("list-at-top", b"- a\n- b\n", ("set of fields", "list")),
    ("scalar-at-top", b"just text\n", ("set of fields",)),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ("binary",)),
    ("utf16", VALID.encode("utf-16"), ("binary",)),
    ("latin-1", edit("demo team", "d\u00e9mo team").decode().encode("latin-1"), ("not UTF-8", "0xe9")),
    ("control-char", edit("demo team", "demo\x07team"), ("control character",)),
    ("duplicate-key", edit("period: 2016-2017", "period: 2016-2017\nperiod: 2018"), ("given twice",)),
    ("nested-duplicate", edit("  type: improvement methodology", "  type: a\n  type: b"), ("given twice",)),
    ("deep-nesting", b"title: " + b"[" * 200 + b"]" * 200 + b"\n", ("nested more than",)),
    (
        "python-object",
        edit(
            "title: PFCC phase 2 - scaling up with peer coaches",
            "title: !!python/object/apply:os.system ['echo hacked']",
        ),
        ("tag", "not allowed"),
    ),
    ("python-name", b"title: !!python/name:os.system\n", ("tag", "not allowed")),
    ("custom-tag", edit("period: 2016-2017", "period: !Period 2016"), ("tag", "not allowed")),
    ("alias-bomb", b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", ("anchors and aliases",)),
    (
        "missing-title",
        edit("title: PFCC phase 2 - scaling up with peer coaches\n", ""),
        ("title", "required"),
    ),
    ("missing-contributor", VALID.split("contributor:")[0].encode(), ("contributor", "required")),
    (
        "title-is-list",
        edit("title: PFCC phase 2 - scaling up with peer coaches", "title: [a, b]"),
        ("should be text",),
    ),
    (
        "contexts-not-list",
        edit("contexts:\n  - setting", "contexts:\n    setting").replace(b"\n    sector", b"\n    sector"),
        ("should be a list",),
    ),
    (
        "bad-spread-status",
        edit("spread_status: spreading", "spread_status: spreding"),
        ("spreding", "did you mean 'spreading'"),
    ),
    ("bad-boolean", edit("paraphrase: true", "paraphrase: maybe"), ("true or false",)),
    ("bad-date", edit("review_by: 2027-06-30", "review_by: next summer"), ("not a date",)),
    ("bad-partial-date", edit('started: "2016"', 'started: "16/05"'), ("YYYY",)),
    ("bad-link", edit("link: https://doi.org", "link: doi.org"), ("http",)),
    (
        "unknown-field",
        edit("period: 2016-2017", "period: 2016-2017\nperiode: x"),
        ("'periode' is not a field",),
    ),
    (
        "unknown-cfir",
        edit("cfir: Culture", "cfir: Cultur"),
        ("not a CFIR 2.0 construct", "did you mean 'Culture'"),
    ),
    ("cfir-2009", edit("cfir: Culture", "cfir: Leadership Engagement"), ("CFIR 2009", "High-level Leaders")),
    (
        "unknown-eric",
        edit("eric: Provide ongoing consultation", "eric: Provide ongoing consultancy"),
        ("not an ERIC strategy", "did you mean"),
    ),
    (
        "link-unlisted-approach",
        edit("  - approach: Doctor-to-doctor coaching", "  - approach: Audit and feedback"),
        ("not one of the case's approaches",),
    ),
    (
        "link-unlisted-barrier",
        edit("    barrier: Low senior commitment", "    barrier: Poor IT"),
        ("not one of the case's barriers",),
    ),
    ("bad-link-effect", edit("effect: did not address", "effect: ignored"), ("use one of",)),
    ("stopped-without-reason", edit("    status: adopted", "    status: stopped"), ("reason",)),
    ("quote-without-consent", edit("    de_identified: true", "    de_identified: false"), ("consent",)),
    ("excerpt-source-missing", edit("    source: 1", "    source: 7"), ("no source 7",)),
    (
        "duplicate-barrier",
        edit("  - name: Lack of staff time", "  - name: staff  TURNOVER"),
        ("already listed",),
    ),
    ("bad-case-id", edit("id: pfcc-phase-2-peer-coaching", "id: PFCC Phase 2!"), ("lower-case",)),
    ("no-contexts", edit("contexts:\n", "contexts: []\nold_contexts:\n"), ("at least one",)),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_template_is_refused_and_writes_nothing(graph, tmp_path, raw, expected):
    before = fingerprint()
    path = tmp_path / "case.yaml"
    path.write_bytes(raw)
    model, problems = check_file(path)
    assert model is None and problems
    text = "\n".join(p.render() for p in problems)
    assert all(str(path) in p.render() for p in problems)
    for word in expected:
        assert word in text, text
    with pytest.raises(TemplateInvalid):
        ingest_file(path)
    assert fingerprint() == before


def test_there_are_at_least_25_distinct_cases():
    assert len({c[0] for c in CASES}) >= 25 and len({c[1] for c in CASES}) == len(CASES)


def test_fifty_megabyte_file_is_refused_before_reading(graph, tmp_path):
    before = fingerprint()
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    _, problems = check_file(path)
    assert len(problems) == 1 and "52.4 MB" in problems[0].message and "at most 1 MB" in problems[0].message
    with pytest.raises(TemplateInvalid):
        ingest_bytes(b"title: x\n" * 6_000_000, "huge.yaml")
    assert fingerprint() == before


def test_python_tags_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"title: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(TemplateInvalid):
        load_text(text)
    assert not marker.exists()
    with pytest.raises(yaml.YAMLError):  # the safe loader alone refuses it too
        yaml.safe_load(text)


def test_all_problems_are_reported_at_once_with_lines():
    loaded = load_text(
        VALID.replace("spread_status: spreading", "spread_status: spreding")
        .replace("cfir: Culture", "cfir: Cultur")
        .replace("    barrier: Low senior commitment", "    barrier: Poor IT")
    )
    _, problems = validate(loaded, "x.yaml")
    rendered = [p.render() for p in problems]
    assert len(rendered) == 3
    line = VALID.splitlines().index("spread_status: spreading") + 1
    assert rendered[0].startswith(f"x.yaml: line {line}, spread_status: 'spreding'")
    assert any(", barriers[3].cfir: 'Cultur'" in r for r in rendered)
    assert any(", links[3].barrier: 'Poor IT'" in r for r in rendered)
