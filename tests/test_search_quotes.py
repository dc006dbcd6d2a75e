"""A passage quoted by two sources (a report and a coded export of it) is one search result."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.ingest.documents.ingester import ingest_document
from spreadgraph.search.filters import SearchFilters
from spreadgraph.search.indexing import embed_missing
from spreadgraph.search.quotes import fold_quotes, same_passage
from spreadgraph.search.results import SearchResult
from spreadgraph.search.retrieval import Searcher
from spreadgraph.search.units import index_sentences
from spreadgraph.webui.api import search as search_api
from spreadgraph.webui.app import create_app

from tests.search_fixtures import WordVectors

QUOTED = (
    "When the night porters learned the new hoist routine from each other, "
    "the falls on the orthopaedic ward dropped within a month."
)
REPORT = (
    "Ward review of the hoist training\n\n"
    "The trust bought four new ceiling hoists for the orthopaedic ward in spring.\n\n"
    f"{QUOTED} Managers noticed it first on the incident dashboard.\n\n"
    "Pharmacy later asked for the same approach to controlled drug checks.\n"
)
EXPORT = (
    "source,case,speaker_role,codes,quote\n"
    f'ward-review.txt,,Matron,"approach:peer learning; outcome:fewer falls","{QUOTED}"\n'
)


def _result(rid: str, source: str, kind: str, text: str, marks: list[tuple[str, str]]) -> SearchResult:
    return SearchResult.model_validate(
        {
            "kind": "excerpt",
            "id": rid,
            "score": 0.5,
            "text": text,
            "source": {"id": source, "kind": kind, "file_name": source, "start": 0, "end": len(text)},
            "about": [{"kind": "approach", "id": i, "name": i, "status": s} for i, s in marks],
        }
    )


def test_same_passage_needs_most_of_the_shorter_windows_words_in_order() -> None:
    words = QUOTED.lower().replace(",", "").replace(".", "").split()
    assert same_passage(words, ["managers", "said", *words, "later"])
    assert not same_passage(words, list(reversed(words)))  # same words, not in order
    assert not same_passage(words[:5], words[:5])  # too short to be a passage
    assert same_passage(words, words[: len(words) // 2])  # a quote of part of a passage quotes it
    other = "pharmacy later asked for the same approach to drug checks"
    half = [*words[: len(words) // 2], *other.split(" ")]
    assert not same_passage(words, half)  # sharing half its words is not quoting it


def test_the_documents_window_is_shown_at_the_better_rank_with_the_export_listed() -> None:
    export = _result("u-export", "export.csv", "coded_export", QUOTED, [("peer learning", "confirmed")])
    other = _result("u-other", "report.txt", "document", "Pharmacy asked for the same approach later on.", [])
    doc = _result(
        "u-doc", "report.txt", "document", QUOTED + " Managers noticed.", [("peer learning", "suggested")]
    )
    folded = fold_quotes([export, other, doc])
    assert [r.id for r in folded] == ["u-doc", "u-other"]
    first = folded[0]
    assert first.source.kind == "document" and first.text.endswith("Managers noticed.")
    assert [s.id for s in first.also_in] == ["export.csv"]
    assert [(m.id, m.status) for m in first.about] == [("peer learning", "confirmed")]


def test_windows_of_different_passages_are_all_kept() -> None:
    a = _result("a", "one.txt", "document", QUOTED, [])
    b = _result(
        "b", "two.txt", "document", "The trust bought four new ceiling hoists for the ward in spring.", []
    )
    assert fold_quotes([a, b]) == [a, b]


def _ingest_report_and_export(driver: Driver, folder: Path, export: str = EXPORT) -> WordVectors:
    (folder / "ward-review.txt").write_text(REPORT, encoding="utf-8")
    (folder / "ward-codes.csv").write_text(export, encoding="utf-8")
    for name in ("ward-review.txt", "ward-codes.csv"):
        ingest_document(folder / name, driver=driver, extract=False)
    encoder = WordVectors()
    index_sentences(driver)
    embed_missing(driver, encoder)
    return encoder


def test_search_shows_a_coded_quote_of_an_ingested_report_once(graph: Driver, tmp_path: Path) -> None:
    encoder = _ingest_report_and_export(graph, tmp_path)
    response = Searcher(graph, embedder=encoder).search(
        "night porters hoist routine falls", kinds=("excerpt",)
    )
    quoting = [r for r in response.results if "night porters" in (r.text or "")]
    assert len(quoting) == 1, [(r.source.file_name, r.text) for r in response.results]
    shown = quoting[0]
    assert shown.source.file_name == "ward-review.txt" and shown.source.kind == "document"
    assert [s.file_name for s in shown.also_in] == ["ward-codes.csv"]
    assert response.results[0] is shown


def test_the_page_names_the_export_beside_the_report_and_agrees_with_the_api(
    graph: Driver, tmp_path: Path
) -> None:
    encoder = _ingest_report_and_export(graph, tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_api, "configured_embedder", lambda: encoder)
        with TestClient(create_app()) as client:
            q = {"q": "night porters hoist routine falls"}
            page = client.get("/search", params=q)
            api = client.get("/api/search", params=q).json()
            twin = client.get("/search.json", params=q).json()
    assert page.status_code == 200
    assert "also quoted in" in page.text and "ward-codes.csv" in page.text
    assert [r["id"] for r in api["results"]] == [v["result"]["id"] for v in twin["results"]]
    first = api["results"][0]
    assert first["source"]["file_name"] == "ward-review.txt"
    assert [s["file_name"] for s in first["also_in"]] == ["ward-codes.csv"]


QUOTE_LINKS = """
MATCH (e:Excerpt)-[q:QUOTES]->(s:Source)
RETURN e.text AS quote, s.file_name AS file, q.start AS start, q.end AS end, s.text AS text
"""


@pytest.mark.parametrize(
    "order", [("ward-review.txt", "ward-codes.csv"), ("ward-codes.csv", "ward-review.txt")]
)
def test_a_coded_quote_is_linked_to_its_span_in_the_report_in_either_order(
    graph: Driver, tmp_path: Path, order: tuple[str, str]
) -> None:
    (tmp_path / "ward-review.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "ward-codes.csv").write_text(EXPORT, encoding="utf-8")
    for name in order:
        ingest_document(tmp_path / name, driver=graph, extract=False)
    ingest_document(tmp_path / order[0], driver=graph, extract=False)  # unchanged: no second link
    links = graph.execute_query(QUOTE_LINKS).records
    assert len(links) == 1
    link = links[0]
    assert link["file"] == "ward-review.txt" and link["text"][link["start"] : link["end"]] == QUOTED


def test_a_new_version_of_the_report_takes_the_link_and_a_lost_quote_loses_it(
    graph: Driver, tmp_path: Path
) -> None:
    report = tmp_path / "ward-review.txt"
    report.write_text(REPORT, encoding="utf-8")
    (tmp_path / "ward-codes.csv").write_text(EXPORT, encoding="utf-8")
    ingest_document(report, driver=graph, extract=False)
    ingest_document(tmp_path / "ward-codes.csv", driver=graph, extract=False)
    report.write_text("A new opening paragraph.\n\n" + REPORT, encoding="utf-8")
    ingest_document(report, driver=graph, extract=False)
    link = graph.execute_query(QUOTE_LINKS).records[0]
    assert link["text"].startswith("A new opening") and link["text"][link["start"] : link["end"]] == QUOTED

    report.write_text(REPORT.replace("night porters", "day porters"), encoding="utf-8")
    ingest_document(report, driver=graph, extract=False)
    assert graph.execute_query(QUOTE_LINKS).records == []


def test_a_linked_coded_quote_is_shown_as_the_reports_passage(graph: Driver, tmp_path: Path) -> None:
    encoder = _ingest_report_and_export(graph, tmp_path)
    rows = graph.execute_query(
        "MATCH (u:Sentence)-[:IN_EXCERPT]->(:Excerpt)-[:FROM]->(:Source {kind: 'coded_export'}) "
        "RETURN u.id AS id ORDER BY u.start LIMIT 1"
    ).records
    coded = SearchResult(kind="excerpt", id=rows[0]["id"], score=1.0)
    searcher = Searcher(graph, embedder=encoder)
    searcher.hydrate([coded], encoder.encode(["hoist"])[0], SearchFilters())
    assert coded.source.file_name == "ward-review.txt" and coded.source.kind == "document"
    assert REPORT[coded.source.start : coded.source.end] in QUOTED and coded.source.excerpt_id
    assert [s.file_name for s in coded.also_in] == ["ward-codes.csv"]


def test_a_merged_passage_of_a_linked_quote_keeps_its_span_inside_the_quote(
    graph: Driver, tmp_path: Path
) -> None:
    longer = f"{QUOTED} Managers noticed it first on the incident dashboard."
    (tmp_path / "ward-review.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "ward-codes.csv").write_text(
        "source,case,speaker_role,codes,quote\n"
        'ward-review.txt,,Porter,"barrier:rota gaps","The rota never had slack for it."\n'
        f'ward-review.txt,,Matron,"approach:peer learning","{longer}"\n',
        encoding="utf-8",
    )
    for name in ("ward-review.txt", "ward-codes.csv"):
        ingest_document(tmp_path / name, driver=graph, extract=False)
    encoder = WordVectors()
    index_sentences(graph)
    embed_missing(graph, encoder)
    ids = [
        r["id"]
        for r in graph.execute_query(
            "MATCH (u:Sentence)-[:IN_EXCERPT]->(e:Excerpt)-[:FROM]->(:Source {kind: 'coded_export'}) "
            "WHERE e.text STARTS WITH 'When' RETURN u.id AS id ORDER BY u.start"
        ).records
    ]
    assert len(ids) == 2
    shown = SearchResult(kind="excerpt", id=ids[0], score=1.0, merged=[ids[1]])
    Searcher(graph, embedder=encoder).hydrate([shown], encoder.encode(["hoist"])[0], SearchFilters())
    start = REPORT.index(QUOTED)
    assert shown.source.file_name == "ward-review.txt"
    assert (shown.source.start, shown.source.end) == (start, start + len(longer))
    assert REPORT[shown.source.start : shown.source.end] == longer


def test_alike_windows_of_one_source_are_different_places_and_stay() -> None:
    rows = [
        _result(
            f"u{i}", "report.txt", "document", f"Region N{i} adopted the new checklist in its first year.", []
        )
        for i in range(3)
    ]
    assert [r.id for r in fold_quotes(rows)] == ["u0", "u1", "u2"]
    # a copy from another source folds into the first, and still no window of the report does
    export = _result("x", "export.csv", "coded_export", rows[0].text, [])
    assert [r.id for r in fold_quotes([*rows, export])] == ["u0", "u1", "u2"]
    assert [s.id for s in rows[0].also_in] == ["export.csv"] and not rows[1].also_in


# A quote the report does not hold word for word (no QUOTES link) and one naming a file the graph
# does not hold: the first is labelled with the report's title, the second keeps its file name.
EDITED = "The night rota never left any slack for practising with the new ceiling hoists."
ELSEWHERE = "Nobody could find the spare hoist slings when the porters needed them at night."
TITLE = "Ward review of the hoist training"
LABELLED_EXPORT = (
    "source,case,speaker_role,codes,quote\n"
    f'ward-review.txt,,Porter,"barrier:rota gaps","{EDITED}"\n'
    f'lost-audit.txt,,Porter,"barrier:missing kit","{ELSEWHERE}"\n'
)


def _by_text(results: list[dict], text: str) -> dict:
    return next(r for r in results if text[:30] in (r.get("text") or ""))


def test_a_coded_quote_is_labelled_with_the_title_of_the_document_it_names(
    graph: Driver, tmp_path: Path
) -> None:
    encoder = _ingest_report_and_export(graph, tmp_path, LABELLED_EXPORT)
    response = Searcher(graph, embedder=encoder).search(
        "porters night hoist slings rota slack", limit=20, kinds=("excerpt",)
    )
    results = [r.model_dump() for r in response.results]
    edited, elsewhere = _by_text(results, EDITED), _by_text(results, ELSEWHERE)
    assert edited["section"] == TITLE and edited["source"]["file_name"] == "ward-codes.csv"
    assert elsewhere["section"] == "lost-audit.txt"  # not in the graph: the file name stays
    stored = graph.execute_query(
        "MATCH (e:Excerpt)-[:FROM]->(:Source {kind: 'coded_export'}) RETURN e.section AS section"
    ).records
    assert sorted(r["section"] for r in stored) == ["lost-audit.txt", "ward-review.txt"]  # provenance


def test_the_search_page_and_api_show_the_documents_title_not_its_file_name(
    graph: Driver, tmp_path: Path
) -> None:
    encoder = _ingest_report_and_export(graph, tmp_path, LABELLED_EXPORT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_api, "configured_embedder", lambda: encoder)
        with TestClient(create_app()) as client:
            q = {"q": "porters night hoist slings rota slack", "limit": 20}
            page = client.get("/search", params=q)
            api = client.get("/api/search", params=q).json()
    assert page.status_code == 200
    assert _by_text(api["results"], EDITED)["section"] == TITLE
    shown = next(li for li in page.text.split('<li class="result') if EDITED[:30] in li)
    assert TITLE in shown and "ward-review.txt" not in shown
    export = graph.execute_query("MATCH (s:Source {kind: 'coded_export'}) RETURN s.id AS id").records[0]
    with TestClient(create_app()) as client:
        listed = client.get(f"/sources/{export['id']}").text  # the export's own page lists its quotes
    assert TITLE in listed and "lost-audit.txt" in listed and "ward-review.txt" not in listed
