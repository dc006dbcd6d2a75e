"""Browser tests for search, what-worked, the neighbourhood graph and the overview, in headless
Chromium over the seeded demo graph (the `live` server, `browser`, `page` and `shots` fixtures
come from tests/test_webui_browser.py, which also skips without chromium or playwright).

Screenshots of each page go to the artifacts folder next to the other browser tests' ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spreadgraph.webui.pages import search as search_pages

from tests.test_webui_browser import browser, live, page, shots  # noqa: F401  (fixtures)

TELEDERM = "case:teledermatology-failed-pathway"


@pytest.fixture(scope="module", autouse=True)
def fresh_caches() -> None:
    """The form's choices are reused for a minute; another module's graph may have filled them."""
    search_pages._choices_cache.clear()


def wait_for_graph(tab: object) -> int:
    """Wait until the neighbourhood graph is drawn; the number of nodes it drew."""
    box = tab.locator("[data-graph]")
    tab.wait_for_selector("[data-graph][data-nodes]", state="attached", timeout=15_000)
    assert box.is_visible()
    assert box.locator("canvas").count() >= 1
    return int(box.get_attribute("data-nodes"))


def test_search_from_home_open_case_and_follow_evidence(page, live, shots: Path) -> None:  # noqa: F811
    base, data = live
    page.goto(base + "/")
    page.get_by_label("Describe your innovation, setting or problem").fill(
        "photo image quality at the consultant"
    )
    page.get_by_role("button", name="Search the evidence").click()
    page.wait_for_url("**/search?q=photo+image+quality**")
    results = page.locator("ol.results > li")
    assert results.count() >= 1
    page.screenshot(path=str(shots / "search.png"), full_page=True)
    page.locator("ol.results").get_by_role(
        "link", name="Teledermatology advice-and-guidance pathway that collapsed twice"
    ).first.click()
    page.wait_for_url(f"**/cases/{TELEDERM}")
    drawn = wait_for_graph(page)
    expected = page.request.get(f"{base}/graph/cases/{TELEDERM}.json").json()
    assert drawn == len(expected["nodes"]) > 5
    page.screenshot(path=str(shots / "case-graph.png"), full_page=True)
    page.locator("[data-graph]").screenshot(path=str(shots / "case-graph-canvas.png"))
    # The list of neighbours is folded once the drawing is there, and still one click away.
    assert page.locator("details.neighbour-list").get_attribute("open") is None
    # Evidence with a span: the invented document's quote, found by search, opens at its mark.
    evidence = data.excerpts[-1]
    page.goto(base + "/search?q=cupboard+keys+held+by+one+person&kind=excerpt")
    link = page.locator(f'ol.results a[href$="#excerpt-{evidence["id"]}"]').first
    assert link.is_visible()
    link.click()
    page.wait_for_url(lambda url: url.endswith(f"#excerpt-{evidence['id']}"))
    marks = page.locator(f'mark[data-excerpts~="{evidence["id"]}"]')
    assert "".join(marks.all_text_contents()) == evidence["text"]
    box = marks.first.bounding_box()
    assert box and 0 <= box["y"] < 900, "the browser did not scroll to the excerpt"
    assert not page.problems, page.problems


def test_filters_on_the_search_page(page, live) -> None:  # noqa: F811
    base, _ = live
    page.goto(base + "/search?q=training")
    page.locator("details.filters > summary").click()
    page.get_by_label("Setting").fill("no such setting anywhere")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**setting=no+such+setting+anywhere**")
    assert page.locator("ol.results > li").count() == 0
    assert "Nothing matched with these filters" in page.locator("main").inner_text()
    assert not page.problems, page.problems


def test_what_worked_page(page, live, shots: Path) -> None:  # noqa: F811
    base, _ = live
    page.goto(base + "/what-worked")
    assert page.get_by_role("heading", name="What you get").is_visible()
    page.get_by_label("Describe your innovation, your setting or the problem you expect").fill(
        "photo triage between GPs and dermatology where image quality was poor"
    )
    page.get_by_role("button", name="Ask").click()
    page.wait_for_url("**/what-worked?q=**")
    for heading in ("Similar cases", "Approaches, ranked by evidence", "Barriers to expect", "Best excerpts"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    page.screenshot(path=str(shots / "what-worked.png"), full_page=True)
    page.screenshot(path=str(shots / "what-worked-top.png"))
    page.get_by_role("heading", name="Barriers to expect").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "what-worked-barriers.png"))
    assert not page.problems, page.problems


def test_graph_on_barrier_and_approach_pages_and_node_click(page, live, shots: Path) -> None:  # noqa: F811
    base, data = live
    page.goto(f"{base}/barriers/{data.barrier_id}")
    drawn = wait_for_graph(page)
    assert drawn == len(page.request.get(f"{base}/graph/barriers/{data.barrier_id}.json").json()["nodes"])
    page.screenshot(path=str(shots / "barrier-graph.png"), full_page=True)
    page.locator("[data-graph]").screenshot(path=str(shots / "barrier-graph-canvas.png"))
    page.goto(f"{base}/approaches/{data.approach_id}")
    wait_for_graph(page)
    page.screenshot(path=str(shots / "approach-graph.png"), full_page=True)
    # Selecting a neighbour opens its page.
    target = page.evaluate(
        """() => {
          const cy = window.spreadgraphGraphs[0];
          const node = cy.nodes().filter(n => !n.data('centre'))[0];
          const box = cy.container().getBoundingClientRect();
          const at = node.renderedPosition();
          return {x: box.left + at.x, y: box.top + at.y, href: node.data('href')};
        }"""
    )
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url("**" + target["href"])
    assert not page.problems, page.problems


def test_overview_charts(page, live, shots: Path) -> None:  # noqa: F811
    base, _ = live
    page.goto(base + "/overview")
    bars = page.locator("svg.bars")
    assert bars.is_visible() and bars.locator("rect").count() >= 1
    heatmap = page.locator("svg.heatmap")
    assert heatmap.is_visible()
    assert heatmap.locator("a.cell").count() + heatmap.locator("rect.cell-empty").count() >= 4
    page.screenshot(path=str(shots / "overview.png"), full_page=True)
    heatmap.locator("a.cell").first.click()
    page.wait_for_url("**/barriers/**")
    assert not page.problems, page.problems
