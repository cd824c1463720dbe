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
