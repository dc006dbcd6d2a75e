"""Browser test of the grouped review queue in headless Chromium (fixtures from
tests/test_webui_browser.py): a reviewer ticks two groups, confirms them in one go, and they are
gone from the queue. On the demo graph, and on a graph holding one corpus document ingested with
the extractor (skipped with the reason when ../shared/corpus is absent)."""

from __future__ import annotations

from pathlib import Path

from spreadgraph.graph.decisions import claim_state

from tests.conftest import shared_path
from tests.test_review_groups import make_group
from tests.test_webui_auth import REVIEWER, ensure_accounts
from tests.test_webui_browser import browser, live, page, shots  # noqa: F401  (fixtures)
from tests.test_webui_browser_contrib import sign_in_with_keyboard


def confirm_two_groups(tab, base: str, folder: Path, name: str) -> None:
    tab.goto(base + "/review")
    groups = tab.locator("article.review-group")
    assert groups.count() >= 2
    chosen = [groups.nth(i).get_attribute("data-group") for i in (0, 1)]
    for group in chosen:
        tab.locator(f'input[type="checkbox"][value="{group}"]').check()
    tab.screenshot(path=str(folder / f"review-groups-{name}.png"), full_page=False)
    tab.get_by_role("button", name="Confirm selected").click()
    tab.wait_for_url("**/review?done=*")
    assert "Confirmed 2 groups" in tab.get_by_role("status").inner_text()
    left = {
        tab.locator("article.review-group").nth(i).get_attribute("data-group")
        for i in range(tab.locator("article.review-group").count())
    }
    assert not left & set(chosen)
    assert not tab.problems, tab.problems


def test_confirm_two_groups_in_bulk_on_the_demo_graph(page, live, shots: Path) -> None:  # noqa: F811
    base, _ = live
    ensure_accounts()
    first = make_group()
    second = make_group()
    sign_in_with_keyboard(page, base, REVIEWER)
    confirm_two_groups(page, base, shots, "demo")
    assert {claim_state(c)["status"] for c in first[2] + second[2]} == {"confirmed"}


def test_confirm_two_groups_on_an_extracted_corpus_document(page, live, shots: Path) -> None:  # noqa: F811
    from spreadgraph.ingest.documents.ingester import DocumentIngester
    from spreadgraph.search.embedder import configured_embedder

    document = shared_path("corpus", "004_5b3818299aab1315.txt")
    base, _ = live
    ensure_accounts()
    DocumentIngester(configured_embedder()).ingest(document)
    sign_in_with_keyboard(page, base, REVIEWER)
    confirm_two_groups(page, base, shots, "corpus")
