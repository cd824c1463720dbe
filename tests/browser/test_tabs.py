"""The kept tabs that parametrized browser tests open their cases in (tests/browser/conftest.py, Tabs): what one
case leaves behind, the next case does not find, and what one case's page says late is not charged to the next."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, Tabs

# In the page: storage of every kind the Tabs clear, and a cookie, left on the page's origin.
LEAVE = """async () => {
  localStorage.setItem("left", "1");
  sessionStorage.setItem("left", "1");
  document.cookie = "left=1; path=/";
  await new Promise((resolve) => {
    const opened = indexedDB.open("left");
    opened.onsuccess = () => { opened.result.close(); resolve(); };
  });
}"""
# What of it the page finds (only what LEAVE left: reader's own pages keep things of their own).
FOUND = """async () => ({
  local: localStorage.getItem("left"),
  session: sessionStorage.getItem("left"),
  cookie: document.cookie.split("; ").includes("left=1"),
  database: (await indexedDB.databases()).some((database) => database.name === "left"),
})"""
NOTHING = {"local": None, "session": None, "cookie": False, "database": False}


def test_a_case_leaves_nothing_for_the_next_case_in_its_tab(tabs: Tabs, live_server: str) -> None:
    """A case's cookies and storage, on each origin it was on (reader's, and the same server under another name),
    and a message its page logs after it ended: the next case in the same tab finds none of them."""
    origins = [live_server, live_server.replace("//127.0.0.1:", "//localhost:")]
    with tabs.open(DESKTOP) as (_, page, _):
        first = page
        for origin in origins:
            page.goto(origin + "/")
            page.evaluate(LEAVE)
            assert page.evaluate(FOUND) == {"local": "1", "session": "1", "cookie": True, "database": True}
        page.evaluate("() => setTimeout(() => console.error('said after its case ended'), 300)")
    with tabs.open(DESKTOP) as (context, page, problems):
        assert page is first  # the same tab
        assert context.cookies() == []
        page.wait_for_timeout(600)  # past the first case's timer, before this case goes anywhere
        assert problems.messages == []
        for origin in origins:
            page.goto(origin + "/")
            assert page.evaluate(FOUND) == NOTHING, origin


def test_a_case_that_fails_leaves_its_tab_closed(tabs: Tabs, live_server: str) -> None:
    with pytest.raises(AssertionError), tabs.open(DESKTOP) as (_, page, _):
        failed = page
        page.goto(live_server + "/")
        raise AssertionError("a check of the case failed")
    assert failed.is_closed()
    with tabs.open(DESKTOP) as (_, page, _):
        assert page is not failed
