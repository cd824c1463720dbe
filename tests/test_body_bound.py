"""The lower bound of an HTML import's body (reader.body_bound) against the body reader.importer.read_html
really takes: never more, on markup made of what html.parser and bs4 treat each in their own way."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.body_bound import MAX_GROWTH, body_length_at_least, scan
from reader.drafts import body_length
from reader.importer import read_html

_PIECES = st.sampled_from(
    [
        # The containers, in any case and form, and the furniture and heading read_html takes out.
        "<article>",
        "</article>",
        "<ARTICLE class=x>",
        "</ARTICLE >",
        "<article/>",
        "</ article>",
        "<main>",
        "</main>",
        "<body>",
        "</body>",
        "<html>",
        "<head>",
        "</head>",
        "<nav>",
        "</nav>",
        "<aside>",
        "</aside>",
        "<footer>",
        "</footer>",
        "<form>",
        "</form>",
        "<script>",
        "</script>",
        "</script >",
        "<script/>",
        "<style>",
        "</style>",
        "<h1>",
        "</h1>",
        "<h1/>",
        "<header>",
        "</header>",
        # Elements: void and not, closed at once, end tags without a start, odd names and attributes.
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<br>",
        "</br>",
        "<br/>",
        "<p/>",
        # A wholly bold first paragraph is taken out of the body as its summary (reader.importer._bold_lead).
        "<b>",
        "</b>",
        "<strong>",
        "</strong>",
        "<img src='x' alt=\"a  b\">",
        '<a href="/x" class=" a  b " class="c">',
        "</a>",
        "<a\x01b>",
        "<x y>",
        "</x>",
        "<svg:rect>",
        "<li>",
        "<ul>",
        "</ul>",
        "<textarea>",
        "</textarea>",
        "<title>",
        "</title>",
        "<td>",
        "<a href='&#x301;'>",
        # Comments, declarations, references, stray brackets.
        "<!--",
        "-->",
        "<!-- c -->",
        "<!doctype html>",
        "<?pi>",
        "<![CDATA[x]]>",
        "<!x>",
        "&amp;",
        "&#7879;",
        "&#x301;",
        "&nbsp;",
        "&bogus;",
        "&",
        "&#",
        "<",
        ">",
        "=",
        '"',
        "'",
        "/",
        # Text: white space, Vietnamese, marks that compose across what is taken out, controls, characters
        # normalization lengthens.
        " ",
        "\n",
        "\t",
        "text",
        "Việt",
        "e",
        "\u0301",
        "\u0302\u0323",
        "\u0338",
        "\x01",
        "\ufb2c",
        "\u0958",
        "\u1100",
        "\u1161",
        "\u11a8",
        "\u00a0",
    ]  # fmt: skip
)
_DOCUMENTS = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join)


def _real_length(html: str) -> int:
    return body_length(str(read_html(Path("x.html"), html)[0]["body_html"]))


@settings(max_examples=600)
@given(_DOCUMENTS)
@example("<article>e<nav>x</nav>\u0302</article>")  # a mark composing across furniture taken out
@example("<article><header><h1>T</h1></header>x</article>")  # the heading's <header> taken out with it
@example('<article><header><img src="/logo.png" alt="Logo"><h1>T</h1></header>x</article>')  # and what it holds
@example("<div><article>x</div>y</article>")  # an ancestor's end tag ends the body
@example("<br>a<br/>b</br><article>c</br></article>d")
@example("<p>")  # an empty paragraph, dropped (Word's blank line)
@example("<p/>")
@example('<p class="MsoNormal"><span lang="VI"><o:p>&nbsp;</o:p></span></p><p>x</p>')  # dropped with what it holds
@example("<p><p></p>x</p><p>y</p>")  # an empty paragraph inside one with text
@example('<p><b>Lead <span class="x">in bold</span></b></p><p>Body</p>')  # a bold lead, taken out as the summary
@example("<p><img src='/a.png' alt='A'></p><p><b>Lead</b></p><p>x</p>")  # kept for its image; the lead after it
@example("<body><p><main><h1>T</h1><div>Mở đầu</div><p>x</p></main>")  # a paragraph open outside the body's element
@example("<p></p><article><p><b>L</b></p><p>y</p></article>")  # a paragraph closed before the body's element
@example("<p><p></p>" + "x" * 3001 + "</p>")  # a first paragraph too long for a lead, an empty one inside it
def test_the_bound_is_never_more_than_the_body(html: str) -> None:
    assert scan(html, 10**9) <= _real_length(html)


@pytest.mark.parametrize(
    "html",
    [
        "<p>" + "Một đoạn văn dài, không xuống dòng. " * 12_000 + "</p>",  # one paragraph, past a lead's length
        "<p>Mở đầu<p>" + "<p>Đoạn văn không đóng thẻ. " * 1_000,  # html.parser nests unclosed paragraphs
    ],
)
def test_the_bound_is_close_on_a_long_first_paragraph(html: str) -> None:
    # A first paragraph may become the summary (a bold lead) only while it is no longer than a summary may be:
    # past that it counts, and a file of one long paragraph is still refused from its tokens. (Spaces never
    # count, and a piece of text starting with a mark gives up three characters: this text is 20 % spaces.)
    assert 0.7 * _real_length(html) <= scan(html, 10**9) <= _real_length(html)


def test_the_bound_is_close_on_dense_markup_and_stops_past_the_limit() -> None:
    unit = '<p class="a"><span>ab</span><em>c</em><a href="/x">d</a></p>\n'
    html = f"<html><body><nav>{unit * 100}</nav><article><h1>T</h1>{unit * 1000}</article>{unit * 100}</body></html>"
    real = _real_length(html)
    assert 0.9 * real <= scan(html, 10**9) <= real
    # Stopped as soon as it passed the limit: just past it, not the whole body.
    assert 1000 < scan(html, 1000) < 1100
    # A document too short to hold a body that long is not scanned.
    assert body_length_at_least(html, len(html) * MAX_GROWTH) == 0
