"""A document's cases get the care setting their text names most, evidenced by its first mention
(schema/care_settings.py, graph/document_cases.py). Invented text only."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.graph.connection import read
from spreadgraph.graph.snapshot import fingerprint
from spreadgraph.ingest.documents.ingester import ingest_document
from spreadgraph.schema.care_settings import settings_in
from spreadgraph.webui.app import create_app

SETTINGS = """
MATCH (c:Case)-[:IN_CONTEXT]->(x:Context {method: 'document'})
OPTIONAL MATCH (x)-[r:EVIDENCED_BY]->(e:Excerpt)-[:FROM]->(s:Source)
RETURN c.title AS case, x.setting AS setting, x.mentions AS mentions,
       substring(s.text, r.start, r.end - r.start) AS mention
ORDER BY case
"""


def _report(setting_words: str, times: int) -> str:
    return (
        "# Evaluation of a text reminder service\n\n"
        "The reminder service sent texts before appointments.\n\n"
        + f"Staff in {setting_words} said the texts saved time. " * times
        + "\n\nPatients liked the reminders.\n"
    )


def _ingest(graph: Driver, path: Path, setting_words: str, times: int) -> None:
    """Write this version of the report to `path` and ingest it without the model."""
    path.write_text(_report(setting_words, times), encoding="utf-8")
    ingest_document(path, driver=graph, extract=False)


def test_settings_are_counted_by_their_own_words_most_mentioned_first() -> None:
    found = settings_in(
        ["Two GP practices and a care home joined.", "The GP surgeries and general practice staff."]
    )
    assert [(m.setting, m.count) for m in found] == [("primary care", 3), ("care homes", 1)]
    first = found[0]
    assert (first.text, first.start, first.end) == (0, 4, 16)  # "GP practices": the longest words win
    assert settings_in(["The hospice-like calm of the nursing station."]) == []  # whole words only


def test_a_document_case_gets_its_setting_with_the_first_mention_as_evidence(
    graph: Driver, tmp_path: Path
) -> None:
    path = tmp_path / "reminders.md"
    _ingest(graph, path, "GP practices", 4)
    rows = read(SETTINGS)
    assert [(r["setting"], r["mentions"], r["mention"]) for r in rows] == [
        ("primary care", 4, "GP practices")
    ]

    before = fingerprint()
    ingest_document(path, driver=graph, extract=False)
    assert fingerprint() == before  # unchanged file: nothing written


def test_a_new_version_changes_the_setting_and_too_few_mentions_give_none(
    graph: Driver, tmp_path: Path
) -> None:
    path = tmp_path / "reminders.md"
    _ingest(graph, path, "GP practices", 4)
    _ingest(graph, path, "care homes", 5)
    assert [(r["setting"], r["mentions"]) for r in read(SETTINGS)] == [("care homes", 5)]

    _ingest(graph, path, "care homes", 1)
    assert read(SETTINGS) == []  # one mention is not enough to say where it happened


def test_the_case_page_says_the_setting_was_read_from_the_text(graph: Driver, tmp_path: Path) -> None:
    path = tmp_path / "reminders.md"
    _ingest(graph, path, "GP practices", 4)
    case = read("MATCH (c:Case)-[:IN_CONTEXT]->(:Context) RETURN c.id AS id")[0]["id"]
    with TestClient(create_app()) as client:
        page = client.get(f"/cases/{case}")
        twin = client.get(f"/cases/{case}.json").json()
    assert page.status_code == 200
    assert "primary care" in page.text and "read from the text (4 mentions)" in page.text
    assert "not confirmed by a person" in page.text
    [context] = twin["contexts"]
    assert context["method"] == "document" and context["href"].startswith("/sources/")
