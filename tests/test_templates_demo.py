"""The demo set: written in our own words (no 12-word run shared with the corpus), sources named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spreadgraph.schema.template_schema import SCHEMA_PATH, render

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cases"
RUN = 12


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def test_json_schema_is_current():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), (
        "run python -m spreadgraph.schema.template_schema"
    )


def test_demo_templates_name_their_source_section():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert "citation:" in text and "section:" in text, path.name


@pytest.mark.slow
def test_demo_templates_share_no_12_word_run_with_the_corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the shared corpus is not beside this clone")
    corpus = CORPUS
    runs: set[tuple[str, ...]] = set()
    for doc in sorted(corpus.glob("*.txt")):
        runs |= _runs(_words(doc.read_text(encoding="utf-8")))
    for path in sorted(EXAMPLES.glob("*.yaml")):
        shared = _runs(_words(path.read_text(encoding="utf-8"))) & runs
        assert not shared, f"{path.name}: {sorted(' '.join(run) for run in shared)}"
