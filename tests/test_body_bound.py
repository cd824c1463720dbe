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

# Word's list paragraph: its marker in a mso-list:Ignore span, the spaces after it in a span of their own.
_WORD_ITEM = (
    "<p class=MsoListParagraph style='mso-list:l0 level{level} lfo1'>"
    "<span style='mso-list:Ignore'>{n}.<span> </span></span>"
)
_WORD_BULLET = (
    "<p class=MsoListParagraphCxSpMiddle style='mso-list:l0 level{level} lfo1'><span style='font-family:Symbol'>"
    "<span style='mso-list:Ignore'>·<span>&nbsp;&nbsp; </span></span></span><span> </span>"
)
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
        # A <header> is kept with its text (unless it held the title and is left empty), which the scan does
        # not count: inside a bold first paragraph, that text may make it the lead, taken out with all it holds.
        "<p><b><img src='x' alt='a'><header>",
        "<header>x</header>",
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
        # Ruby annotations and templates: bs4 keeps their text apart (get_text leaves it out), so a paragraph
        # holding only that is empty to read_html.
        "<rt>",
        "</rt>",
        "<rp>",
        "<template>",
        "</template>",
        # Lists written as paragraphs, which read_html makes lists (reader.list_paragraphs), their markers
        # taken out: Word's and typed (whole runs of them: _LIST_RUNS).
        _WORD_ITEM.format(level=1, n=1),
        _WORD_ITEM.format(level=1, n=2),
        _WORD_BULLET.format(level=2),
        "<p class=MsoListParagraphCxSpMiddle><span style='font-family:Wingdings'>§</span><span>  </span>",
        "<span style='mso-list:Ignore'>",
        "<span>",
        "</span>",
        "<p>1. ",
        "<p>2. ",
        "<p>100. ",
        "<p>101. ",
        "<p>• ",
        "<p>a) ",
        "<p>b) ",
        "<p><b>•</b>",
        "<p>-\t",
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
_MARKUP = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=6).map("".join)
# A run of list paragraphs (two or more with markers of one kind, numbered on), each marker followed by markup.
_MARKERS = st.sampled_from(
    [
        _WORD_ITEM.replace("{level}", "1"),
        _WORD_BULLET.replace("{level}", "{n}"),
        "<p class=MsoListParagraphCxSpMiddle><span style='font-family:Wingdings'>§</span><span>&nbsp; </span>",
        "<p>{n}. ",
        "<p>{n})<span> </span><b> </b>",
        "<p>10{n}.\t",
        "<p><b>•</b> <i> </i>",
        "<p>–  ",
        "<p>\u0958 ",
        "<p>&#x3{n};. ",  # "1. ", "2. " as references
        "<p>{n}. <img src='/a.png' alt=''><span> </span>",  # an image after the marker, spaces after it
        "<p><span>{n}.</span><br><span>\t</span>",
    ]  # fmt: skip
)


def _run(marker: str, items: list[str]) -> str:
    return "".join(marker.format(n=n) + item + "</p>" for n, item in enumerate(items, start=1))


# An item's text may be a run of its own, nested in it (html.parser nests paragraphs), its items empty but
# for their markers.
_NESTED_RUNS = st.builds(_run, _MARKERS, st.lists(st.one_of(st.just(""), _MARKUP), min_size=2, max_size=3))
_LIST_RUNS = st.builds(_run, _MARKERS, st.lists(st.one_of(_MARKUP, _NESTED_RUNS), min_size=2, max_size=4))
# A first paragraph, bold as a lead, whose text may be only in a <header> (kept with its text, which the scan
# does not count), after what keeps a paragraph without text (held back while it may be the lead).
_HEADER_LEADS = st.builds(
    lambda bold, shown, inside, after: f"<p><{bold}>{shown}<header>{inside}</header>{after}",
    st.sampled_from(["b", "strong"]),
    st.sampled_from(["", "<img src='x' alt='a'>", "<input>", "<span><img src='x' alt='a'></span>"]),
    _MARKUP,
    _MARKUP,
)
_DOCUMENTS = st.builds(
    lambda first, rest: first + "".join(rest),
    st.one_of(st.just(""), _HEADER_LEADS),
    st.lists(st.one_of(_PIECES, st.text(max_size=3), _LIST_RUNS), max_size=40),
)


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
# Word's list paragraphs, made a list: their markers (in mso-list:Ignore spans) taken out.
@example(f"<p>x</p>{_WORD_ITEM.format(level=1, n=1)}Một</p>{_WORD_ITEM.format(level=1, n=2)}Hai</p>")
@example("<p>x</p><p>1.<span> </span><span> </span>x</p><p>2.<span> </span>y</p>")  # typed, spans of spaces after
@example("<p>x</p><p>&#x31;. <span> </span><span> </span>a</p><p>&#x32;. <span> </span>b</p>")  # as references
@example("<p><b>" + "\u0958" * 1503 + "</b></p><p>x</p>")  # a lead whose length only NFC puts over a summary's
@example("<p><rt>x</rt></p><p><b>Lead</b></p><p>y</p>")  # a paragraph empty but for a ruby annotation, dropped
@example("<p><img src='/a.png' alt='A'><b>&amp;</b></p><p>y</p>")  # a lead of a reference alone, with an image
@example("<p><img src='/a.png' alt='A'><b>x</b> y</p><p>z</p>")  # not wholly bold: no lead, its image counted
# A bold first paragraph whose only text is in a <header> (kept, not counted): the lead, taken out whole.
@example(
    '<body><p><b><img src="/anh/logo-toa-soan.png" alt="Logo tòa soạn"><header>Tin nóng hôm nay</header></b></p>'
    "<p>Nội dung bài.</p></body>"
)
@example("<a><p><strong><input><header>·")
@example("<p><b><img src='x' alt='a'><header>&amp;</header></b></p><p>y</p>")  # a reference alone in it
# A run of Word's list paragraphs nested in an item (html.parser nests paragraphs), its markers all the text
# after the item's own: made a list first, it leaves the item's marker without text after it.
@example("<p>• .</p><p>•<p><s style=mso-list:Ignore>1.<a></p><p><n style=mso-list:Ignore>2.<t>")
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


_IMAGE = "<img src='/anh/minh-hoa.png' alt='Ảnh minh hoạ'>"


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{_IMAGE * 2_000}</p><p>x</p>",  # no text: no lead
        f"<p>{_IMAGE * 2_000}",  # the same, left open to the end
        f"<p>{_IMAGE}\n" * 2_000,  # nested, none closed
        f"<p><b>Mở</b> đầu {_IMAGE * 2_000}</p>",  # text not all bold: no lead
        # Word's markup, which may hold lists (a paragraph's first characters may be a marker): an image
        # before any text says that this one has none.
        f"<p class=MsoNormal><span lang=VI>{_IMAGE * 2_000}</span></p>{_WORD_ITEM.format(level=1, n=1)}x</p>",
    ],
)
def test_the_bound_counts_a_first_paragraph_that_is_no_lead(html: str) -> None:
    # What the first paragraph holds is held back while it may be a bold lead (taken out whole), and counted
    # once it cannot be one: a file of one paragraph of images is refused from its tokens.
    assert 0.9 * _real_length(html) <= scan(html, 10**9) <= _real_length(html)


def test_the_bound_is_close_on_word_lists() -> None:
    # Word's list paragraphs lose their markers and the elements around them (read_html makes them a list):
    # in markup that may hold lists, each paragraph's first characters and the tags before them count nothing.
    item = _WORD_ITEM + "<span lang=VI>Mục thứ {n} của danh sách, một câu như trong văn bản hành chính.</span></p>\n"
    html = "<p>Mở đầu.</p>\n" + "".join(item.format(level=1, n=n) for n in range(1, 30))
    assert 0.6 * _real_length(html) <= scan(html, 10**9) <= _real_length(html)
