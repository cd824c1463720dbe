from __future__ import annotations

import warnings

import pytest
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from reader import soup
from reader.soup import HTML_FORMATTER, parse_html

# Void elements in every way markup writes them, with the end tags html.parser gives bs4 for them.
DOCUMENTS = [
    "<p>a<br>b<br/>c<br />d</p>",
    "<p>a<br></br>b</p><p>c</br>d</p>",
    "<div>x<br></div>" * 50,
    "<p>" + "<img src=x alt='>'><hr>" * 20 + "</p></img></hr><hr></hr>",
    "<ul><li>a<wbr>b</li><li>c<br><br></li></ul></br></br></br>",
    "<table><tr><td>1<br></td></tr></table><p>text</p>",
    "https://example.com/not-a-file",
]


def stock_parse(markup: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "html.parser")


@pytest.mark.parametrize("markup", DOCUMENTS)
def test_the_tree_is_bs4s_own(markup: str) -> None:
    assert parse_html(markup).decode(formatter=HTML_FORMATTER) == stock_parse(markup).decode(formatter=HTML_FORMATTER)


def test_no_end_tag_scans_the_void_elements_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # bs4 kept every `<br>` closed so far in a list and looked each end tag's name up in it: 20,000
    # `<div>x<br></div>` took 4.5 s, twice as many four times as long. What the lookups scan stays empty, and
    # an end tag that closes a void element already closed is still ignored, as bs4 ignores it.
    parsers: list[soup._HTMLParser] = []
    close = soup._HTMLParser.close

    def kept(self: soup._HTMLParser) -> None:
        parsers.append(self)
        close(self)

    monkeypatch.setattr(soup._HTMLParser, "close", kept)
    tree = parse_html("<div>x<br></div>" * 2000 + "<p>y<br></br>z</p>")
    assert len(tree.find_all("br")) == 2001
    closed = [parser.already_closed_empty_element for parser in parsers]
    assert [len(record) for record in closed] == [0]
    assert isinstance(closed[0], soup._ClosedVoidElements)
    assert closed[0]._counts == {"br": 2000}  # 2,001 closed as they opened, one `</br>` ignored


# Trees with <pre> and <code> in and around one another, at the top and deep, and elements beside them.
NESTED = [
    "<p>a<pre>b<code>c<span>d</span></code><b>e</b></pre><i>f</i></p><code><pre><em>g</em></pre></code><s>h</s>",
    "<pre></pre><code></code><div><div><pre><pre><u>x</u></pre></pre></div><span>y</span></div>",
    "<table><tr><td><code>1<b>2</b></code></td><td><b>3</b></td></tr></table>" * 3,
    "plain <b>text</b> only",
]


@pytest.mark.parametrize("markup", NESTED)
@pytest.mark.parametrize("names", [("pre",), ("pre", "code")])
def test_tags_outside_leaves_out_the_named_and_all_inside_them(markup: str, names: tuple[str, ...]) -> None:
    tree = parse_html(markup)
    # What asking each element for such an ancestor gives (the way it was done before: find_parent).
    expected = [
        tag for tag in [tree, *tree.find_all(True)] if tag.name not in names and tag.find_parent(list(names)) is None
    ]
    kept = soup.tags_outside(tree, names)
    assert [id(tag) for tag in kept] == [id(tag) for tag in expected]
    assert kept[0] is tree and all(tag.name not in names for tag in kept)


def test_wrap_makes_the_tree_bs4s_wrap_makes() -> None:
    markup = "<div>a<table><tr><td>1</td></tr></table>b<table><caption>c</caption></table></div><table></table>x"
    ours, theirs = parse_html(markup), parse_html(markup)
    places = soup.Places()
    for number, (mine, stock) in enumerate(zip(ours.find_all("table"), theirs.find_all("table"), strict=True)):
        soup.wrap(mine, ours.new_tag("section", attrs={"n": str(number)}), places.of(mine))
        stock.wrap(theirs.new_tag("section", attrs={"n": str(number)}))
    assert ours.decode(formatter=HTML_FORMATTER) == theirs.decode(formatter=HTML_FORMATTER)
    assert '<section n="1"><table><caption>' in ours.decode()
    # The order bs4 keeps of everything parsed (next_element), which get_text and find_all follow, too.
    assert [str(node) for node in ours.descendants] == [str(node) for node in theirs.descendants]
    assert ours.get_text("|") == theirs.get_text("|")


@pytest.mark.parametrize("markup", NESTED + DOCUMENTS)
@pytest.mark.parametrize("names", [("pre",), ("code", "b", "td"), ("br", "img", "hr"), ()])
def test_elements_named_are_what_find_all_finds(markup: str, names: tuple[str, ...]) -> None:
    tree = parse_html(markup)
    for root in [tree, *tree.find_all(True)]:
        assert [id(tag) for tag in soup.elements_named(root, names)] == [id(tag) for tag in root.find_all(names)]
    with pytest.raises(AssertionError):
        soup.elements_named(tree, "pre")  # "p", "r", "e" would each match
