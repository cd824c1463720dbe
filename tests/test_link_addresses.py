"""Links whose text is their own address, marked for print (reader.link_addresses)."""

from __future__ import annotations

import pytest

from reader.link_addresses import ATTRIBUTE, mark_address_links, shows_its_address
from reader.paths import DEMO_DIR
from reader.sanitize import sanitize_html
from reader.sentence_markup import article_text
from tests.test_sentence_markup import _article

REPORT = "https://example.org/archive/2026/full-report-and-tables.html"


@pytest.mark.parametrize(
    ("text", "href"),
    [
        (REPORT, REPORT),
        ("example.org/archive/2026/full-report-and-tables.html", REPORT),  # without its scheme
        ("https://www.example.org/", "https://example.org"),
        ("HTTPS://Example.org/a", "https://example.org/a"),
        ("https://example.org/archive/\n2026/full-report-and-tables.html", REPORT),  # wrapped in the source
        ("https://vi.wikipedia.org/wiki/Hà_Nội", "https://vi.wikipedia.org/wiki/H%C3%A0_N%E1%BB%99i"),
        ("https://example.org/a%2fb", "https://example.org/a%2Fb"),  # percent-encoding in either case
        ("EXAMPLE.org/report?Year=2026", "https://example.org/report?Year=2026"),  # the host in any case
        ("example.org:8080/x", "https://example.org:8080/x"),  # a port
        ("HTTP://example.org:8080/x", "http://Example.org:8080/x"),
        ("https://example.org:443/a", "https://example.org/a"),  # the scheme's own port is no port
        ("example.org:80/a", "http://example.org/a"),
        ("example.org/a", "https://example.org:443/a"),
        ("Jo@Example.org", "mailto:jo@example.org"),
    ],
)
def test_a_link_that_reads_as_its_address(text: str, href: str) -> None:
    assert shows_its_address(text, href)


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("the full report", REPORT),
        ("example.org", REPORT),
        ("", REPORT),
        ("https://example.org/b", REPORT),
        # A path and a query are case-sensitive: another page, whose address print must give.
        ("EXAMPLE.org/Report", "https://example.org/report"),
        ("https://example.org/report?year=2026", "https://example.org/report?Year=2026"),
        # Another port, or a port that is not the scheme's own.
        ("example.org:8080/x", "https://example.org/x"),
        ("example.org/x", "https://example.org:8080/x"),
        ("https://example.org:80/a", "https://example.org/a"),
    ],
)
def test_a_link_with_words_of_its_own(text: str, href: str) -> None:
    assert not shows_its_address(text, href)


def test_only_such_links_are_marked_and_nothing_else_changes() -> None:
    body = sanitize_html(
        f'<p>See <a href="{REPORT}">{REPORT}</a> and <a href="{REPORT}">the <b>report</b></a> &amp; more.</p>'
        f'<p><a href="https://example.org/x"><code>https://example.org/x</code></a></p>',
        lang="en",
    )
    marked = mark_address_links(body)
    assert marked.count(f'{ATTRIBUTE}=""') == 2
    assert marked.replace(f' {ATTRIBUTE}=""', "") == body
    assert mark_address_links("<p>No links.</p>") == "<p>No links.</p>"


def test_the_rendered_body_marks_them_and_the_stored_one_does_not() -> None:
    source = (DEMO_DIR / "03-text-size-in-numbers.html").read_text(encoding="utf-8")
    stored = sanitize_html(source, lang="en")
    assert ATTRIBUTE not in stored  # an author cannot send it, and the sanitizer does not write it
    article = _article("T", "", stored, "en")
    assert article_text(article).body.count(ATTRIBUTE) == 1
    assert article_text(article, marks=False).body.count(ATTRIBUTE) == 1  # the editor's preview prints too
    assert ATTRIBUTE not in sanitize_html(f'<a href="{REPORT}" {ATTRIBUTE}="">x</a>', lang="en")
