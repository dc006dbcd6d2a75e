"""Search, what-worked, overview and neighbourhood pages (and JSON twins) over a hand-made graph,
in process against the real Neo4j (tests/test_webui_explore_fixtures.py; deterministic word vectors)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from spreadgraph.webui.api import search as search_api
from spreadgraph.webui.app import create_app
from spreadgraph.webui.pages import overview as overview_pages
from spreadgraph.webui.pages import search as search_pages

from tests.conftest import wipe_data
from tests.test_webui_explore_fixtures import ENCODER, EXPECTED, HOSTILE, SCRIPT, seed_explore
from tests.test_webui_pages import OWN_SCRIPTS

PAGES = [
    "/search",
    "/search?q=spare+time",
    "/search?q=spare+time&setting=acute&kind=excerpt&kind=barrier",
    "/what-worked",
    "/what-worked?q=nurses+had+no+spare+time+for+reminder+texts",
    "/overview",
    "/graph/cases/case:x-clinic",
    "/graph/barriers/barrier:x-no-time",
    "/graph/approaches/approach:x-protected",
    "/cases/case:x-clinic",
    "/barriers/barrier:x-hostile",
    "/approaches/approach:x-protected",
    "/",
]


@pytest.fixture(scope="module")
def client(migrated: Driver) -> Iterator[TestClient]:
    wipe_data(migrated)
    seed_explore(migrated)
    search_pages._choices_cache.clear()
    overview_pages._cache.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_api, "configured_embedder", lambda: ENCODER)
        with TestClient(create_app()) as test_client:
            yield test_client
    wipe_data(migrated)


def test_each_page_and_its_json_twin(client: TestClient) -> None:
    for url in PAGES:
        page = client.get(url)
        assert page.status_code == 200, (url, page.text[:300])
        assert page.headers["content-type"].startswith("text/html")
        lower = OWN_SCRIPTS.sub("", page.text).lower()
        assert not any(bad in lower for bad in ("<script", "<style", " style=", " onclick")), url
        link = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page.text)
        assert link, url
        twin = client.get(link.group(1).replace("&amp;", "&"))
        assert twin.status_code == 200 and twin.headers["content-type"] == "application/json", url
        accept = client.get(url, headers={"accept": "application/json"})
        assert accept.json() == twin.json(), url


def case_ids(data: dict) -> set[str]:
    return {r["result"]["case"]["id"] for r in data["results"] if r["result"]["case"]}


def test_search_results_carry_case_source_and_span_links(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "spare time", "kind": "excerpt"}).json()
    assert data["searched"] and data["results"]
    assert case_ids(data) >= {"case:x-clinic", "case:x-ward"}
    assert "case:x-draft" not in case_ids(data)
    first = next(r for r in data["results"] if r["result"]["case"]["id"] == "case:x-ward")
    assert first["result"]["kind"] == "excerpt" and first["result"]["score"] > 0
    assert first["case_href"] == "/cases/case:x-ward"
    assert first["source_href"] == "/sources/src:x-ward#excerpt-src:x-ward:e1"
    assert first["source_label"] == "Falls sensors article" and first["result"]["source"]["file_name"]
    html = client.get("/search", params={"q": "spare time", "kind": "excerpt"}).text
    assert 'href="/sources/src:x-ward#excerpt-src:x-ward:e1"' in html
    assert "falls-sensors.md" in html and "characters" in html
    # The anchor exists on the source page.
    assert 'id="excerpt-src:x-ward:e1"' in client.get("/sources/src:x-ward").text


def test_barrier_results_link_to_the_excerpt_at_their_span(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "spare time", "kind": "barrier"}).json()
    barrier = next(r for r in data["items"] if r["result"]["id"] == "barrier:x-no-time")
    assert barrier["page_href"] == "/barriers/barrier:x-no-time"
    assert barrier["source_href"].startswith("/sources/")


def test_default_search_answers_with_passages_marked_with_their_items(client: TestClient) -> None:
    data = client.get("/search.json", params={"q": "nobody had spare time"}).json()
    assert data["results"] and all(v["result"]["kind"] == "excerpt" for v in data["results"])
    assert all(v["result"]["text"] and v["result"]["source"] for v in data["results"])
    clinic = next(v for v in data["results"] if v["result"]["source"]["excerpt_id"] == "src:x-clinic:e1")
    assert {
        "kind": "barrier",
        "id": "barrier:x-no-time",
        "name": "Staff had no spare time",
        "status": "confirmed",
        "href": "/barriers/barrier:x-no-time",
    } in clinic["about"]
    html = client.get("/search", params={"q": "nobody had spare time"}).text
    assert "Evidence for:" in html and 'href="/barriers/barrier:x-no-time"' in html
    assert html.index("Passages that answer it") < html.index("Matching cases, barriers and approaches")


def test_items_carry_query_matching_evidence_and_unevidenced_items_come_last(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "staff had no spare time and feared blame"}).json()
    items = data["items"]
    kinds = {r["kind"] for r in items}
    assert {"barrier", "case"} <= kinds
    evidenced = [bool(r["text"] and r["source"]) for r in items]
    assert evidenced == sorted(evidenced, reverse=True), "an item without evidence ranks above one with it"
    blame = next(r for r in items if r["id"] == "barrier:x-blame")
    assert blame["text"] is None  # no source says it: it is in the group at the end
    no_time = next(r for r in items if r["id"] == "barrier:x-no-time")
    assert "spare time" in no_time["text"]  # the passage that matches this query


def test_the_api_and_the_page_show_the_same_ranking(client: TestClient) -> None:
    for q in ("nobody had spare time", "mobile signal kept dropping", "falls sensors on the ward"):
        api = client.get("/api/search", params={"q": q}).json()
        page = client.get("/search.json", params={"q": q}).json()
        assert [r["id"] for r in api["results"]] == [v["result"]["id"] for v in page["results"]], q
        assert [r["id"] for r in api["items"]] == [v["result"]["id"] for v in page["items"]], q


def test_filters_restrict_the_page(client: TestClient) -> None:
    everywhere = client.get("/search.json", params={"q": "spare time", "kind": "excerpt"}).json()
    assert "case:x-clinic" in case_ids(everywhere)
    acute = client.get(
        "/search.json", params={"q": "spare time", "kind": "excerpt", "setting": "acute"}
    ).json()
    assert case_ids(acute) == {"case:x-ward"}
    assert acute["form"]["filters"] == {"setting": "acute"}
    old = client.get("/search.json", params={"q": "spare time", "kind": "excerpt", "year_to": "2018"}).json()
    assert case_ids(old) == {"case:x-ward"}
    inner = client.get(
        "/search.json", params={"q": "spare time", "kind": "excerpt", "cfir_domain": "cfir2:III"}
    ).json()
    assert case_ids(inner) == {"case:x-clinic", "case:x-ward", "case:x-home"}  # all met the coded barrier
    outer = client.get(
        "/search.json", params={"q": "spare time", "kind": "excerpt", "cfir_domain": "cfir2:I"}
    ).json()
    assert case_ids(outer) == set()
    html = client.get("/search", params={"q": "spare time", "kind": "excerpt", "setting": "acute"}).text
    assert "Falls sensors on a stroke ward" in html and "Text reminders in a diabetes clinic" not in html
    assert 'value="acute"' in html and "Filters (1 set)" in html


def test_form_choices_come_from_the_graph(client: TestClient) -> None:
    choices = client.get("/search.json").json()["choices"]
    assert {"acute hospital", "outpatient clinic", "community care"} <= set(choices["settings"])
    assert {"England", "Scotland", "Wales"} <= set(choices["places"])
    assert {"digital tool", "medical device"} <= set(choices["innovation_types"])
    assert [d[0] for d in choices["cfir_domains"]] == [
        "cfir2:I",
        "cfir2:II",
        "cfir2:III",
        "cfir2:IV",
        "cfir2:V",
    ]
    assert choices["cfir_domains"][2][1] == "III. Inner Setting"
    assert len(choices["eric_clusters"]) == 9 and "evaluation" in choices["source_types"]


def test_empty_long_and_odd_queries_are_answered(client: TestClient) -> None:
    for url in ("/search", "/search?q=", "/what-worked", "/what-worked?q=+++"):
        page = client.get(url)
        assert page.status_code == 200 and ("How to search" in page.text or "What you get" in page.text), url
    empty = client.get("/search.json?q=").json()
    assert not empty["searched"] and empty["notes"] and empty["results"] == []
    long_query = "spare time " * 910  # 10,010 characters
    long = client.get("/search", params={"q": long_query})
    assert long.status_code == 200 and "characters long" in long.text
    assert client.get("/what-worked", params={"q": long_query}).status_code == 200
    odd = client.get("/search.json", params={"q": "x", "year_from": "soon", "kind": "nonsense"}).json()
    assert any("'soon' is not a valid year from" in n for n in odd["notes"]) and any(
        "nonsense" in n for n in odd["notes"]
    )


def test_what_worked_page(client: TestClient) -> None:
    data = client.get(
        "/what-worked.json", params={"q": "nurses had no spare time for the reminder texts"}
    ).json()
    answer = data["answer"]
    assert answer["cases"] and "case:x-draft" not in {c["id"] for c in answer["cases"]}
    assert answer["approaches"][0]["name"] == "Protected time for champions"
    html = client.get("/what-worked", params={"q": "nurses had no spare time for the reminder texts"}).text
    for text in ("Similar cases", "Why it matched", "evidence score", "Barriers to expect", "Best excerpts"):
        assert text in html, text
    assert 'href="/approaches/approach:x-protected"' in html
    assert re.search(r'href="/sources/src:x-(clinic|ward)#excerpt-', html)
    narrowed = client.get("/what-worked.json", params={"q": "spare time", "setting": "community"}).json()
    assert {c["id"] for c in narrowed["answer"]["cases"]} <= {"case:x-home"}


def test_empty_query_note_only_once_something_was_asked(client: TestClient) -> None:
    """A first visit (no `q`) shows the form without a complaint; submitting it empty gets the note."""
    note = "The query is empty"
    for path in ("/search", "/what-worked"):
        assert note not in client.get(path).text, path
        assert note in client.get(path, params={"q": ""}).text, path
        assert note in client.get(path, params={"q": "  "}).text, path
    assert not client.get("/search.json").json()["notes"]
    assert client.get("/search.json", params={"q": ""}).json()["notes"]
    assert not client.get("/what-worked.json").json()["answer"]["notes"]
    assert client.get("/what-worked.json", params={"q": ""}).json()["answer"]["notes"]


def test_stored_script_is_inert_on_these_pages(client: TestClient) -> None:
    urls = [
        "/search?q=feedback+card+reminder+texts",
        "/search?q=broken+kiosk&kind=barrier",
        "/what-worked?q=broken+kiosk+feedback+card",
        "/overview",
        "/barriers/barrier:x-hostile",
        "/graph/barriers/barrier:x-hostile",
        "/graph/cases/case:x-home",
        "/cases/case:x-home",
    ]
    seen = 0
    for url in urls:
        html = client.get(url).text
        assert "<script>alert" not in html, url
        assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', html)), url
        seen += html.count("&lt;script&gt;alert(3)&lt;/script&gt;")
    assert seen >= 5
    assert SCRIPT in client.get("/graph/barriers/barrier:x-hostile.json").json()["nodes"][0]["name"]
    assert HOSTILE.startswith("Broken kiosk")


def test_neighbourhood_json(client: TestClient) -> None:
    case = client.get("/graph/cases/case:x-clinic.json").json()
    nodes = {n["id"]: n for n in case["nodes"]}
    assert case["nodes"][0]["id"] == "case:x-clinic" and case["nodes"][0]["relation"] == "centre"
    assert set(nodes) == {
        "case:x-clinic",
        "innovation:x-sms",
        "barrier:x-no-time",
        "barrier:x-signal",
        "approach:x-protected",
        "approach:x-booster",
        "src:x-clinic",
    }
    assert nodes["barrier:x-no-time"]["href"] == "/barriers/barrier:x-no-time"
    assert nodes["src:x-clinic"]["href"] == "/sources/src:x-clinic"
    edges = {(e["source"], e["target"], e["kind"]) for e in case["edges"]}
    assert ("approach:x-protected", "barrier:x-no-time", "addressed") in edges
    assert ("approach:x-booster", "barrier:x-signal", "partly addressed") in edges
    assert ("case:x-clinic", "barrier:x-signal", "met") in edges

    barrier = client.get("/graph/barriers/barrier:x-no-time.json").json()
    cases = {n["id"] for n in barrier["nodes"] if n["label"] == "Case"}
    assert cases == {"case:x-clinic", "case:x-ward", "case:x-home"}  # not the pending draft
    effects = {(e["source"], e["kind"]): e["cases"] for e in barrier["edges"] if e["kind"] not in ("met",)}
    assert effects == {("approach:x-protected", "addressed"): 2, ("approach:x-booster", "did not address"): 1}
    assert barrier["totals"] == {"met": 3, "linked": 2}

    approach = client.get("/graph/approaches/approach:x-protected.json").json()
    assert {n["id"] for n in approach["nodes"] if n["label"] == "Case"} == {
        "case:x-clinic",
        "case:x-ward",
        "case:x-home",
    }
    assert {n["id"] for n in approach["nodes"] if n["label"] == "Barrier"} == {
        "barrier:x-no-time",
        "barrier:x-blame",
    }  # the draft's link to the signal barrier is hidden
    for url in (
        "/graph/cases/case:x-draft.json",
        "/graph/widgets/x.json",
        "/graph/barriers/barrier:nope.json",
    ):
        assert client.get(url).status_code == 404, url


def test_pages_embed_the_graph_view_and_list_neighbours(client: TestClient) -> None:
    for url, twin in (
        ("/cases/case:x-clinic", "/graph/cases/case:x-clinic.json"),
        ("/barriers/barrier:x-no-time", "/graph/barriers/barrier:x-no-time.json"),
        ("/approaches/approach:x-protected", "/graph/approaches/approach:x-protected.json"),
    ):
        html = client.get(url).text
        assert f'data-graph="{twin}"' in html, url
        assert '<script src="/static/vendor/cytoscape/cytoscape.min.js" defer></script>' in html
        assert 'role="img"' in html and "aria-label=" in html
        data = client.get(url + ".json").json()
        assert data["neighbourhood"]["url"] == twin
        for node in data["neighbourhood"]["nodes"][1:]:
            assert f'href="{node["href"]}"' in html, (url, node)
    assert client.get("/static/neighbourhood.js").status_code == 200
    assert client.get("/static/vendor/cytoscape/cytoscape.min.js").status_code == 200


def test_overview_counts_match_the_hand_made_graph(client: TestClient) -> None:
    data = client.get("/overview.json").json()
    domains = {d["domain_id"]: d for d in data["domains"]}
    assert len(domains) == 5
    for domain_id in ("cfir2:III", "cfir2:II"):
        got = {k: domains[domain_id][k] for k in EXPECTED[domain_id]}
        assert got == EXPECTED[domain_id], domain_id
    for empty in ("cfir2:I", "cfir2:IV", "cfir2:V"):  # the rejected and the pending codes count nowhere
        assert domains[empty]["barriers"] == 0 and domains[empty]["cases"] == 0
    constructs = {c["construct_id"]: c["cases"] for d in data["domains"] for c in d["constructs"]}
    assert constructs == EXPECTED["constructs"]
    assert {k: data["uncoded"][k] for k in ("barriers", "cases")} == EXPECTED["uncoded"]

    grid = data["evidence_map"]
    assert [b["id"] for b in grid["barriers"]] == EXPECTED["rows"]
    assert [a["id"] for a in grid["approaches"]] == EXPECTED["columns"]
    cells = {(c["barrier_id"], c["approach_id"]): c for c in grid["cells"]}
    assert set(cells) == set(EXPECTED["cells"])
    for key, expected in EXPECTED["cells"].items():
        assert {k: cells[key][k] for k in expected} == expected, key
    assert cells[("barrier:x-no-time", "approach:x-protected")]["strength"] == "confirmed"
    assert cells[("barrier:x-signal", "approach:x-booster")]["strength"] == "suggested"
    assert grid["max_cases"] == 2


def test_overview_html_draws_accessible_charts(client: TestClient) -> None:
    html = client.get("/overview").text
    assert html.count("<svg") == 2 and html.count("<title id=") == 2 and html.count("<desc id=") == 2
    assert "Inner Setting" in html and "Available Resources" in html
    assert html.count('class="cell-empty"') == 4 * 3 - 4  # 12 cells, 4 with evidence
    assert 'fill="url(#hatch)"' in html  # suggested-only cells are hatched
    assert f'href="/barriers/{quote("barrier:x-no-time", safe=":")}"' in html
    assert 'href="/approaches/approach:x-training"' in html
    assert "<caption>Barriers by CFIR 2.0 domain and construct</caption>" in html
    assert "<caption>Cases where the approach addressed the barrier" in html


def test_home_points_to_search_what_worked_and_overview(client: TestClient) -> None:
    html = client.get("/").text
    assert 'action="/search"' in html and 'formaction="/what-worked"' in html
    assert 'href="/overview"' in html and 'name="q"' in html
