from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import PageProblems, describe_violations, run_axe
from tests.conftest import EN_SLUG, SEED_SLUG, SEED_TITLE


def test_a_reader_sees_the_seed_article(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name=SEED_TITLE).click()
    page.wait_for_url(f"**/articles/{SEED_SLUG}")
    assert page.evaluate("document.documentElement.lang") == "vi"
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    expect(page.locator("time")).to_have_text("31/03/2021")
    expect(page.locator(".reader-author")).to_contain_text("Thanh Thuyên")
    paragraphs = page.locator(".reader-body p")
    expect(paragraphs).to_have_count(6)
    for index in range(6):
        expect(paragraphs.nth(index)).to_be_visible()
    expect(page.get_by_role("button", name="Tăng cỡ chữ")).to_be_visible()
    expect(page.get_by_role("button", name="Giảm cỡ chữ")).to_be_visible()
    violations = run_axe(page)
    assert violations == [], describe_violations(violations)


def test_the_english_article_and_index_pass_axe(page: Page, problems: PageProblems, live_server: str) -> None:
    problems.expect_status(404)
    for path in ("/", f"/articles/{EN_SLUG}", "/preferences", "/articles/missing"):
        page.goto(live_server + path)
        violations = run_axe(page)
        assert violations == [], f"{path}\n{describe_violations(violations)}"
