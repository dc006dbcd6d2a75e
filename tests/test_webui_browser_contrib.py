"""Browser tests for contributors and reviewers in headless Chromium (fixtures from
tests/test_webui_browser.py): sign in with the keyboard, submit an invalid then a valid case
through the form, sign in as a reviewer and publish it. Screenshots go beside the others.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_webui_auth import CONTRIBUTOR, PASSWORD, REVIEWER, ensure_accounts
from tests.test_webui_browser import browser, live, page, shots  # noqa: F401  (fixtures)
from tests.test_webui_submit import valid_form

TITLE = "Pocket ultrasound in two clinics <script>alert(1)</script>"


def sign_in_with_keyboard(tab, base: str, name: str) -> None:
    tab.goto(base + "/sign-in")
    tab.get_by_label("Account name").focus()
    tab.keyboard.type(name)
    tab.keyboard.press("Tab")
    tab.keyboard.type(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url(base + "/")
    assert tab.locator("header .account").inner_text().startswith(f"Signed in as {name}")


def fill(tab, values: dict[str, str]) -> None:
    """Fill form fields by name (selects by their value)."""
    for name, value in values.items():
        field = tab.locator(f'[name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_contribute_then_review_and_publish(page, live, shots: Path) -> None:  # noqa: F811
    base, _ = live
    ensure_accounts()
    page.goto(base + "/sign-in")
    page.screenshot(path=str(shots / "sign-in.png"), full_page=True)
    sign_in_with_keyboard(page, base, CONTRIBUTOR)

    page.get_by_role("link", name="Submit a case").click()
    page.wait_for_url("**/submit")
    page.locator("#f-title").fill(TITLE)
    page.locator("#f-barriers-1-cfir").fill("Available Resource")
    page.get_by_role("button", name="Submit the case for review").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert").first
    assert "problems to fix; nothing was saved" in summary.inner_text()
    summary_error = page.locator("#f-summary-error")
    assert summary_error.is_visible() and "must not be empty" in summary_error.inner_text()
    assert page.locator("#f-summary").get_attribute("aria-describedby").split()[-1] == "f-summary-error"
    assert "did you mean 'Available Resources'" in page.locator("#f-barriers-1-cfir-error").inner_text()
    assert page.locator("#f-title").input_value() == TITLE  # kept, and not run
    page.screenshot(path=str(shots / "submit-invalid.png"), full_page=True)

    page.problems.clear()  # the refused form is answered with status 422, which Chromium logs
    fill(page, valid_form() | {"title": TITLE, "barriers[1].cfir": "Available Resources"})
    # "Add another barrier" adds a row in the page (our script), numbered 2.
    rows = page.locator('.rows[data-part="barriers"] > fieldset')
    assert rows.count() == 1
    page.get_by_role("button", name="Add another barrier").click()
    assert rows.count() == 2 and page.evaluate("document.activeElement.id") == "f-barriers-2-name"
    page.locator("#f-barriers-2-name").fill("Probe batteries flat by the afternoon")
    page.get_by_role("button", name="Submit the case for review").click()
    page.wait_for_url("**/submissions/**")
    assert "pending" in page.locator("main").inner_text()
    case_id = page.locator("dd code").first.inner_text()
    assert case_id.startswith("case:pocket-ultrasound-in-two-clinics")
    page.screenshot(path=str(shots / "submitted.png"), full_page=True)
    assert not page.problems, page.problems

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/")
    sign_in_with_keyboard(page, base, REVIEWER)
    page.get_by_role("link", name="Review", exact=True).click()
    page.wait_for_url("**/review")
    item = page.locator("article", has=page.get_by_role("heading", name=TITLE))
    assert item.count() == 1 and "Probe batteries flat" in item.inner_text()
    page.screenshot(path=str(shots / "review-queue.png"), full_page=True)
    item.get_by_label("Note (optional)").fill("checked with the contributor")
    item.get_by_role("button", name=f"Publish “{TITLE}”").click()
    page.wait_for_url("**/review?done=**")
    assert f"Published {case_id}." in page.get_by_role("status").inner_text()
    page.goto(base + f"/cases/{case_id}")
    assert page.get_by_role("heading", name=TITLE).first.is_visible()
    page.screenshot(path=str(shots / "published-case.png"), full_page=True)
    assert not page.problems, page.problems


def test_review_queue_confirms_a_suggested_group(page, live, shots: Path) -> None:  # noqa: F811
    base, _ = live
    ensure_accounts()
    sign_in_with_keyboard(page, base, REVIEWER)
    page.goto(base + "/review#groups")
    first = page.locator("article.review-group").first
    assert first.locator("blockquote").first.inner_text().strip()
    group = first.get_attribute("data-group")
    first.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url("**/review?**")
    assert page.locator(f'article.review-group[data-group="{group}"]').count() == 0
    page.screenshot(path=str(shots / "review-after-confirm.png"), full_page=True)
    assert not page.problems, page.problems
