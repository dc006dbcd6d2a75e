"""Browser tests in headless Chromium (Debian's `chromium`, driven by playwright; no browser is
ever downloaded). Skipped with the reason when chromium or playwright is missing.

A real uvicorn server runs in a thread over the seeded demo graph. Screenshots of the main pages
go to `$SPREADGRAPH_TEST_ARTIFACTS/screenshots` (default: pytest's base temp folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from tests.conftest import analyst_token, live_server, wipe_data
from tests.test_webui_pages import Seeded, seed

CHROMIUM = os.environ.get("SPREADGRAPH_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def live(migrated: Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    from spreadgraph.webui.app import create_app

    data = seed(migrated, tmp_path_factory.mktemp("browser-docs"))
    with live_server(create_app()) as url:
        yield url, data
    wipe_data(migrated)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = os.environ.get("SPREADGRAPH_TEST_ARTIFACTS")
    folder = (Path(base) if base else tmp_path_factory.getbasetemp()) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.problems = []  # console errors (e.g. CSP violations) and page errors
    tab.on("console", lambda m: tab.problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    yield tab
    context.close()


def test_open_a_case_and_follow_evidence_to_the_highlighted_span(page, live, shots: Path) -> None:
    base, data = live
    page.goto(base + "/")
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    page.get_by_role("link", name="Teledermatology advice-and-guidance pathway that collapsed twice").click()
    page.wait_for_url("**/cases/case:teledermatology-failed-pathway")
    assert page.get_by_role("heading", name="Barriers").is_visible()
    page.screenshot(path=str(shots / "case.png"), full_page=True)
    page.get_by_role("link", name="No implementation planning of the whole pathway").first.click()
    page.wait_for_url("**/barriers/**")
    page.screenshot(path=str(shots / "barrier.png"), full_page=True)
    evidence = data.excerpts[-1]
    summary = page.locator("li", has=page.get_by_role("link", name="Night-shift")).locator("summary").first
    summary.click()
    link = page.locator(f'a[href$="#excerpt-{evidence["id"]}"]')
    assert link.is_visible()
    link.click()
    page.wait_for_url(lambda url: url.endswith(f"#excerpt-{evidence['id']}") and "/sources/" in url)
    anchor = page.locator(f'[id="excerpt-{evidence["id"]}"]')
    assert anchor.count() == 1
    marks = page.locator(f'mark[data-excerpts~="{evidence["id"]}"]')
    assert "".join(marks.all_text_contents()) == evidence["text"]
    box = marks.first.bounding_box()
    assert box and 0 <= box["y"] < 900, "the browser did not scroll to the excerpt"
    page.screenshot(path=str(shots / "source.png"))
    assert not page.problems, page.problems


def test_run_a_canned_query_and_a_typed_query(page, live, shots: Path) -> None:
    base, _ = live
    analyst_token()  # makes the analyst account; the console needs one
    page.goto(base + "/cypher")
    assert "sign in" in page.content().lower()  # anonymous visitors are sent to sign in
    page.goto(base + "/sign-in?next=/cypher")
    page.get_by_label("Account name").fill("test-analyst")
    page.get_by_label("Password").fill("analyst-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cypher")
    page.problems.clear()  # the 401 page before sign-in, which Chromium logs
    page.get_by_role("button", name="Run “Cases where an approach did not address a barrier”").click()
    page.wait_for_url("**/cypher?canned=approach-did-not-address**")
    table = page.locator("table.results")
    assert "GP training" in table.inner_text()
    page.screenshot(path=str(shots / "cypher-canned.png"), full_page=True)
    page.get_by_label("Query").fill("MATCH (c:Case) WHERE c.status = 'published' RETURN count(c) AS cases")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("table.results td").first.inner_text() == "5"
    assert not page.problems, page.problems
    page.get_by_label("Query").fill("MATCH (c:Case) DETACH DELETE c")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_load_state()
    assert "Refused" in page.get_by_role("alert").inner_text()
    page.screenshot(path=str(shots / "cypher-refused.png"), full_page=True)
    page.problems.clear()  # the refusal page is answered with status 400, which Chromium logs
    page.goto(base + "/schema")
    page.screenshot(path=str(shots / "schema.png"), full_page=True)
    assert not page.problems, page.problems


def test_stored_script_never_runs(page, live) -> None:
    base, _ = live
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("/", "/cases/case:hostile-markup", "/sources/source:template:hostile-markup"):
        page.goto(base + path)
        page.wait_for_load_state()
    assert dialogs == []
    assert "<script>alert(1)</script>" in page.locator("main").inner_text()
