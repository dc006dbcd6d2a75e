"""Random mutations of a valid template never crash the validator or ingester, nor half-write."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.templates.problems import TemplateInvalid
from spreadgraph.ingest.templates.template_ingest import check_bytes, ingest_bytes

TEXT = (
    Path(__file__).resolve().parents[1] / "examples" / "cases" / "pfcc-phase-2-peer-coaching.yaml"
).read_text(encoding="utf-8")
DATA = yaml.safe_load(TEXT)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


PATHS = [p for p in _paths(DATA) if p]


def _mutate(data, path, action, leaf):
    import copy

    out = copy.deepcopy(data)
    parent = out
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = leaf
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif isinstance(parent, dict):
        parent[f"{key}_extra"] = leaf
    return out


text_mutation = st.tuples(st.integers(0, len(TEXT)), st.integers(0, 20), st.text(max_size=10))
data_mutation = st.tuples(
    st.sampled_from(PATHS), st.sampled_from(["delete", "replace", "duplicate", "add"]), LEAVES
)


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutations_never_crash_nor_half_write(graph, data):
    if data.draw(st.booleans()):
        at, cut, insert = data.draw(text_mutation)
        raw = (TEXT[:at] + insert + TEXT[at + cut :]).encode("utf-8", "surrogatepass")
    else:
        path, action, leaf = data.draw(data_mutation)
        raw = yaml.safe_dump(_mutate(DATA, path, action, leaf), allow_unicode=True).encode(
            "utf-8", "surrogatepass"
        )
    model, problems = check_bytes(raw, "m.yaml")
    assert (model is None) == bool(problems)
    assert all(p.message for p in problems)
    before = fingerprint()
    try:
        ingest_bytes(raw, "m.yaml")
    except TemplateInvalid:
        assert fingerprint() == before
