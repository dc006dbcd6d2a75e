"""The adapted search embedder (search/adaptation.py, `spreadgraph adapt`) against the real Neo4j
and the real model: what it trains on, where it is saved, and that every search vector and query
then uses it while extraction keeps the base model. The reports are written here (no corpus text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from neo4j import Driver
from spreadgraph.graph.connection import read_tx
from spreadgraph.graph.embeddings import embedded_page
from spreadgraph.ingest.documents.ingester import DocumentIngester
from spreadgraph.search import adaptation
from spreadgraph.search.adaptation import AdaptationSettings, ict_pairs
from spreadgraph.search.embedder import (
    adapted_folder,
    configured_embedder,
    embedder_for,
    model_path,
    naming_embedder,
    search_model_name,
)
from spreadgraph.search.retrieval import Searcher
from typer.testing import CliRunner

from spreadgraph.cli import _register, app
from spreadgraph.config import get_settings

pytestmark = pytest.mark.slow

TOPICS = ["inhaler checks", "falls clinics", "virtual wards", "medicines reviews", "discharge letters"]
SENTENCES = [
    "The {t} group met every Tuesday to look at the week's figures with the practices.",
    "Nurses said that {t} took longer than planned during the first month of the pilot.",
    "Managers found money for backfill so that staff could attend the {t} training days.",
    "Patients told the evaluators that {t} felt closer to home than the hospital clinic.",
]


def _report(title: str, topics: list[str]) -> str:
    parts = [f"# {title}", ""]
    for topic in topics:
        parts += [f"## {topic.capitalize()}", ""]
        for turn in range(3):
            parts.append(" ".join(s.format(t=topic) for s in SENTENCES[turn:] + SENTENCES[:turn]))
            parts.append("")
    return "\n".join(parts)


def _stored(driver: Driver, label: str) -> list[tuple[str, list[float]]]:
    """(the text a node's vector encodes, the stored vector) for every node of `label`."""
    rows = read_tx(lambda tx: embedded_page(tx, label, "", 10_000), driver=driver)
    return [(r["text"], r["embedding"]) for r in rows if r["embedding"] is not None]


@pytest.fixture
def home(graph: Driver, tmp_path: Path) -> Iterator[Path]:
    """The session's SPREADGRAPH_HOME without an adapted model before and after the test."""
    folder = adapted_folder(get_settings())
    assert not folder.exists()
    yield folder.parent.parent
    import shutil

    shutil.rmtree(folder.parent, ignore_errors=True)
    embedder_for.cache_clear()


def test_pairs_are_a_sentence_and_the_rest_of_its_paragraph() -> None:
    paragraph = " ".join(s.format(t="falls clinics") for s in SENTENCES)
    settings = AdaptationSettings(keep_sentence=0.0)
    pairs = ict_pairs([paragraph, "One sentence only, and too short to teach anything."], settings)
    assert len(pairs) == 4  # the one-sentence paragraph gives none
    for question, context in pairs:
        assert question in paragraph and question not in context
        assert all(s.format(t="falls clinics") in paragraph for s in SENTENCES)
    assert ict_pairs([paragraph], settings) == pairs  # seeded
    kept = ict_pairs([paragraph] * 50, AdaptationSettings(keep_sentence=0.5))
    assert 0 < sum(q in c for q, c in kept) < len(kept)


def test_the_same_texts_give_the_same_model(tmp_path: Path) -> None:
    import torch

    paragraphs = [" ".join(s.format(t=topic) for s in SENTENCES) for topic in TOPICS]
    settings = AdaptationSettings(batch_size=4, max_pairs=8)
    base = model_path(get_settings().embedding_model)
    one = adaptation.adapt(base, paragraphs, tmp_path / "one", settings)
    two = adaptation.adapt(base, paragraphs, tmp_path / "two", settings)
    assert one["steps"] == two["steps"] == 2 and one["first_loss"] == two["first_loss"]
    assert (tmp_path / "one" / "model.safetensors").read_bytes() == (
        tmp_path / "two" / "model.safetensors"
    ).read_bytes()
    assert not torch.are_deterministic_algorithms_enabled()  # the process's setting is given back
    assert not (tmp_path / "one.new").exists()


def test_adapt_trains_on_visible_documents_reembeds_and_search_uses_the_model(
    graph: Driver, home: Path, tmp_path: Path
) -> None:
    base = naming_embedder()
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text(_report("Spreading community respiratory care", TOPICS[:3]), encoding="utf-8")
    second.write_text(_report("Safer discharge across two trusts", TOPICS[3:]), encoding="utf-8")
    ingester = DocumentIngester(embedder=base)
    ingester.ingest(first, driver=graph)
    paragraphs = adaptation.training_paragraphs(graph)
    assert paragraphs and all(
        "inhaler" in p or "falls" in p or "virtual" in p or "#" not in p for p in paragraphs
    )
    assert search_model_name() == get_settings().embedding_model

    _register()
    runner = CliRunner()
    done = runner.invoke(app, ["adapt", "--min-pairs", "10"])
    assert done.exit_code == 0, done.output
    folder = adapted_folder(get_settings())
    made = json.loads((folder / "adaptation.json").read_text())
    assert made["method"] == "inverse cloze task" and made["pairs"] >= 10
    assert made["texts_sha256"] == adaptation.texts_checksum(paragraphs)
    assert search_model_name() == str(folder)
    adapted = configured_embedder()
    assert adapted.name == str(folder)
    assert naming_embedder().name == get_settings().embedding_model  # extraction keeps the base model
    assert adapted._load().max_seq_length == base._load().max_seq_length  # only the weights changed

    # every stored search vector is now the adapted model's
    for label in ("Sentence", "Case"):
        rows = _stored(graph, label)
        assert rows, label
        texts = [t for t, _ in rows]
        fresh = np.asarray(adapted.encode(texts))
        old = np.asarray(base.encode(texts))
        stored = np.asarray([v for _, v in rows])
        assert np.all(np.sum(fresh * stored, axis=1) > 0.999), label
        if label == "Sentence":  # a few steps of training move most sentence vectors
            assert np.mean(np.sum(old * stored, axis=1) < 0.999) > 0.5

    # a document ingested afterwards gets the adapted model's vectors; the query uses it too
    DocumentIngester(embedder=adapted).ingest(second, driver=graph)
    rows = [(t, v) for t, v in _stored(graph, "Sentence") if "discharge letters" in t]
    assert rows
    fresh = np.asarray(adapted.encode([t for t, _ in rows]))
    assert np.all(np.sum(fresh * np.asarray([v for _, v in rows]), axis=1) > 0.999)
    response = Searcher(graph).search("backfill money so staff could go to discharge letters training")
    assert response.results and "discharge letters" in (response.results[0].text or "")

    # the same documents again: not trained again, nothing re-embedded ... once the new one is in
    runner.invoke(app, ["adapt", "--min-pairs", "10"])
    again = runner.invoke(app, ["adapt", "--min-pairs", "10"])
    assert again.exit_code == 0, again.output
    assert "not trained again" in again.output and "0 re-embedded" in again.output
    checked = runner.invoke(app, ["reembed"])  # reembed works with the search model too
    assert checked.exit_code == 0, checked.output
    assert f"model {folder}: 0 vector(s) replaced" in checked.output


def test_too_little_text_trains_nothing(graph: Driver, home: Path, tmp_path: Path) -> None:
    _register()
    done = CliRunner().invoke(app, ["adapt"])
    assert done.exit_code == 0, done.output
    assert "fewer than 200" in done.output
    assert not adapted_folder(get_settings()).exists()
    assert search_model_name() == get_settings().embedding_model
