from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

import pytest

from reader.drafts import (
    VISIBLE_CHARACTER,
    FieldError,
    FieldErrors,
    clean_text,
    draft_from_fields,
    normalize_form_date,
    normalize_lang,
    normalize_published,
)

BASE = {"lang": "en", "title": "A title", "body_html": "<p>Body</p>"}


def test_minimal_article() -> None:
    draft = draft_from_fields(BASE)
    assert draft.slug == "a-title" and draft.lang == "en" and draft.body_html == "<p>Body</p>"
    assert draft.published is None and draft.source_url is None and draft.body_format == "html"


@pytest.mark.parametrize(("raw", "status"), [("draft", "draft"), ("published", "published"), (None, None), ("", None)])
def test_the_state_is_draft_published_or_not_said(raw: object, status: str | None) -> None:
    # Not said (None): the store publishes a new article and keeps a stored one's state.
    assert draft_from_fields({**BASE, "status": raw}).status == status
    assert draft_from_fields(BASE).status is None


def test_an_unknown_state_says_which_there_are() -> None:
    with pytest.raises(FieldError) as info:
        draft_from_fields({**BASE, "status": "Hidden"})
    assert info.value.message == "'Hidden' is not a state: write draft or published"
    assert info.value.localized("vi") == "“Hidden” không phải là trạng thái: hãy viết draft hoặc published"


def test_markdown_body_is_rendered_and_sanitized() -> None:
    draft = draft_from_fields({"lang": "en", "title": "T", "body_markdown": "Hi *there*\n\n<script>x</script>"})
    assert draft.body_html == "<p>Hi <em>there</em></p>"
    assert draft.body_format == "markdown" and draft.body_source.startswith("Hi *there*")


def test_text_is_nfc_normalized() -> None:
    decomposed = unicodedata.normalize("NFD", "Bắc Kạn")
    draft = draft_from_fields({**BASE, "title": decomposed})
    assert draft.title == "Bắc Kạn" and unicodedata.is_normalized("NFC", draft.title)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lang": "en", "body_html": "<p>x</p>"}, "title"),
        ({**BASE, "title": "   "}, "title"),
        ({**BASE, "title": 5}, "title"),
        ({"title": "T", "body_html": "<p>x</p>"}, "lang"),
        ({**BASE, "lang": "english!"}, "lang"),
        ({"lang": "en", "title": "T"}, "body_html"),
        ({**BASE, "body_markdown": "x"}, "body_html"),
        ({**BASE, "body_html": "<script>alert(1)</script>"}, "body_html"),
        ({"lang": "en", "title": "T", "body_markdown": "<iframe>only this</iframe>"}, "body_markdown"),
        ({**BASE, "published": "31/03/2021"}, "published"),
        ({**BASE, "published": 2021}, "published"),
        ({**BASE, "source_url": "javascript:alert(1)"}, "source_url"),
        ({**BASE, "source_url": "http://["}, "source_url"),  # urlsplit raises ValueError: was a 500
        ({**BASE, "source_url": "http://a\uff03b/"}, "source_url"),  # fullwidth # turns into # under NFKC
        ({**BASE, "slug": "Not A Slug"}, "slug"),
        ({**BASE, "colour": "red"}, "colour"),
        ({**BASE, "status": "hidden"}, "status"),
        ({**BASE, "status": True}, "status"),
        ({"lang": "ja", "title": "日本語", "body_html": "<p>x</p>"}, "slug"),
    ],
)
def test_invalid_fields_name_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(FieldError) as info:
        draft_from_fields(fields)
    assert info.value.field == field


@pytest.mark.parametrize(("raw", "tag"), [("VI", "vi"), ("en-gb", "en-GB"), ("zh-hant-tw", "zh-Hant-TW")])
def test_language_tags_are_normalized(raw: str, tag: str) -> None:
    assert normalize_lang(raw) == tag


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2021-03-31", "2021-03-31"),
        ("2021-03-31T08:00:00+07:00", "2021-03-31T08:00:00+07:00"),
        ("2026-11-02T09:30:00Z", "2026-11-02T09:30:00+00:00"),
        ("2026-11-02t09:30:00z", "2026-11-02T09:30:00+00:00"),  # RFC 3339 allows lower case
        (dt.date(2021, 3, 31), "2021-03-31"),
        (None, None),
    ],
)
def test_published_dates(raw: object, stored: str | None) -> None:
    assert normalize_published(raw) == stored


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # Front matter (YAML reads these as datetimes), CMS exports, HTML's datetime: a time without an
        # offset is the site's.
        (dt.datetime(2021, 3, 31, 8, 0), "2021-03-31T08:00:00+07:00"),
        ("2021-03-31 08:00", "2021-03-31T08:00:00+07:00"),
        ("2021-03-31T08:00:00", "2021-03-31T08:00:00+07:00"),
        # With an offset, the offset it names.
        ("2021-03-31 08:00:00 +0200", "2021-03-31T08:00:00+02:00"),
        (dt.datetime(2021, 3, 31, 8, 0, tzinfo=dt.UTC), "2021-03-31T08:00:00+00:00"),
    ],
)
def test_a_time_without_an_offset_is_the_sites(raw: object, stored: str) -> None:
    assert normalize_published(raw, ZoneInfo("Asia/Ho_Chi_Minh")) == stored


@pytest.mark.parametrize("raw", ["20210331", "2021-W13-3", "2021-03-31T08:00:00+07:00:30", "2021-03-31T08"])
def test_what_no_reader_of_the_api_would_take_is_refused(raw: str) -> None:
    # Python's fromisoformat takes all these; the API's RFC 3339 none, so storing them broke round trips.
    with pytest.raises(FieldError) as info:
        normalize_published(raw)
    assert info.value.localized("en") == (
        f"'{raw}' is not a date such as 2021-03-31 or a time such as 2021-03-31T08:00:00+07:00"
    )


@pytest.mark.parametrize(
    ("fields", "body"),
    [
        ({"body_html": "<a>"}, '<a rel="noopener noreferrer"></a>'),
        ({"body_html": "</b\tc"}, ""),  # an unfinished tag: nothing to show, nothing taken away
        ({"body_markdown": "-"}, "<ul>\n<li></li>\n</ul>"),
        ({"body_markdown": "[ref]: /target"}, ""),
    ],
)
def test_a_body_that_shows_nothing_is_kept_when_sanitizing_took_nothing(fields: dict[str, str], body: str) -> None:
    # Only a body whose content sanitizing removed is refused (above: scripts, an iframe): the API's schema
    # can say "not blank", and a blank-looking body of markup is the author's business.
    assert draft_from_fields({"lang": "en", "title": "T", **fields}).body_html == body


def test_visible_character_is_what_survives_folding_less_what_shows_nothing() -> None:
    # The API's schema says "not empty" with this pattern, and the store refuses with it. Every code point
    # is tried: none that clean_text and whitespace folding drop may count, and the ones that survive yet
    # do not count must all be characters that show nothing on their own.
    # Except the non-characters outside the BMP, which clean_text drops but a schema pattern (\uXXXX escapes,
    # no astral ranges) cannot leave out: a field of nothing else is refused after clean_text all the same.
    visible = re.compile(VISIBLE_CHARACTER)
    survives = [point for point in range(0x110000) if clean_text(chr(point)).split()]
    astral_noncharacters = [plane << 16 | low for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)]
    assert sum(1 for point in range(0x110000) if visible.fullmatch(chr(point))) == sum(
        1 for point in survives if visible.fullmatch(chr(point))
    ) + len(astral_noncharacters)
    unseen = [point for point in survives if not visible.fullmatch(chr(point))]
    khmer_inherent_vowels = (0x17B4, 0x17B5)
    for point in unseen:
        name = unicodedata.name(chr(point), "")
        assert (
            unicodedata.category(chr(point)) == "Cf" or "FILLER" in name or "VARIATION SELECTOR" in name
            or point == 0x034F or point in khmer_inherent_vowels
        ), hex(point)  # fmt: skip
    assert len(unseen) == 59  # the ranges as written, none lost or added by a typo


NONCHARACTERS = "\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_noncharacters_are_removed_from_every_text_field_and_the_bodys_text() -> None:
    # XML 1.0 has no U+FFFE or U+FFFF (oEmbed's XML answer carries the title): a parser refuses the document.
    fields = {"title": "Bad \uffff char \ufffe", "summary": "L\ufdd0ead", "author": "A\U0001fffe", "lang": "en"}
    draft = draft_from_fields({**fields, "source_url": "https://example.org/\ufdefx", "body_html": "<p>B\uffffody</p>"})
    assert (draft.title, draft.summary, draft.author) == ("Bad char", "Lead", "A")
    assert draft.source_url == "https://example.org/x" and draft.body_html == "<p>Body</p>"
    # Written as character references, in the text or in an attribute, they come out of the sanitizer: taken too.
    references = "".join(f"&#x{ord(char):x};" for char in NONCHARACTERS)
    body = f'<p title="t{references}">x{references}y&#x1;z</p>'
    assert draft_from_fields({**fields, "body_html": body}).body_html == '<p title="t">xyz</p>'
    # (Markdown makes U+FFFD of such a reference.)
    markdown = draft_from_fields({**fields, "body_markdown": f"x{NONCHARACTERS}{references}y"})
    assert markdown.body_source == f"x{references}y" and not set(NONCHARACTERS) & set(markdown.body_html)


def test_bidi_controls_are_removed_from_plain_text_and_kept_in_the_body() -> None:
    # A title ending in U+202E (right-to-left override) reversed the " · reader" after it in <title>.
    body = "<p>\u202bمرحبا\u202c and \u2067שלום\u2069</p>"
    draft = draft_from_fields({
        "lang": "en", "title": "Title\u202e", "summary": f"{BIDI_CONTROLS}Lead", "author": f"A{BIDI_CONTROLS}B",
        "body_html": body,
    })  # fmt: skip
    assert (draft.title, draft.summary, draft.author) == ("Title", "Lead", "AB")
    assert draft.body_html == body and draft.body_source == body
    with pytest.raises(FieldError) as info:
        draft_from_fields({**BASE, "title": BIDI_CONTROLS})
    assert info.value.field == "title" and info.value.message == "must not be empty"


@pytest.mark.parametrize(
    "title", ["\u200b", "\u2060", "\u00ad", "\u3164", "\u180e", "\ufeff", "\u034f", "\u200e\u200f"]
)
def test_a_title_that_shows_nothing_is_refused(title: str) -> None:
    # On the index it would be a link with no name, on its page an empty heading (axe: link-name, empty-heading).
    with pytest.raises(FieldError) as info:
        draft_from_fields({**BASE, "title": title})
    assert info.value.field == "title" and info.value.message == "must not be empty"


def test_every_invalid_field_is_reported_at_once() -> None:
    fields = {"lang": "Tiếng Việt", "title": " ", "body_html": "<p>x</p>", "published": "2021-02-30"}
    with pytest.raises(FieldErrors) as info:
        draft_from_fields(fields)
    assert [error.field for error in info.value.errors] == ["title", "lang", "published"]
    # The first one stays the exception's own field and message: the API and `reader import` name one.
    assert info.value.field == "title" and info.value.message == "must not be empty"


def test_field_errors_speak_the_editors_language_and_keep_english_for_the_api() -> None:
    with pytest.raises(FieldErrors) as info:
        draft_from_fields({**BASE, "lang": "Tiếng Việt", "published": "2021-02-30"})
    lang, published = info.value.errors
    assert lang.message == "'Tiếng Việt' is not a BCP 47 language tag such as vi or en-GB"
    assert lang.localized("vi") == "“Tiếng Việt” không phải là mã ngôn ngữ BCP 47 (ví dụ: vi, en-GB)"
    assert published.message == (
        "'2021-02-30' is not a date such as 2021-03-31 or a time such as 2021-03-31T08:00:00+07:00"
    )
    assert published.localized("vi") == (
        "“2021-02-30” không phải là ngày (ví dụ 2021-03-31) hay ngày giờ (ví dụ 2021-03-31T08:00:00+07:00)"
    )
    assert lang.localized("en") == lang.message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("31/03/2021", "2021-03-31"),  # as the seed portal writes it
        ("1/3/2021", "2021-03-01"),
        (" 05/11/2026 ", "2026-11-05"),
        ("2021-03-31", "2021-03-31"),
        ("2021-03-31T08:00:00+07:00", "2021-03-31T08:00:00+07:00"),
        ("", None),
    ],
)
def test_the_editor_accepts_day_first_dates_and_stores_iso(typed: str, stored: str | None) -> None:
    assert normalize_form_date(typed) == stored


@pytest.mark.parametrize(
    ("typed", "vi"),
    [
        ("30/02/2021", "không có ngày 30/02/2021: tháng 2 năm 2021 chỉ có 28 ngày"),
        ("2021-02-30", "không có ngày 2021-02-30: tháng 2 năm 2021 chỉ có 28 ngày"),
        ("31/13/2021", "“31/13/2021” không phải là ngày: không có tháng 13"),
        ("mai", "“mai” không phải là ngày: hãy viết theo dạng 31/03/2021 hoặc 2021-03-31"),
        ("31/03/2021 24:00", "“31/03/2021 24:00” không phải là giờ: giờ từ 0 đến 23, phút từ 0 đến 59"),
    ],
)
def test_an_impossible_date_says_why(typed: str, vi: str) -> None:
    with pytest.raises(FieldError) as info:
        normalize_form_date(typed)
    assert info.value.field == "published" and info.value.localized("vi") == vi


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("31/03/2021", "2021-03-31"),
        ("31/03/2021 08:00", "2021-03-31T08:00:00+07:00"),
        ("31/3/2021, 8h30", "2021-03-31T08:30:00+07:00"),
        ("2021-03-31 08:00", "2021-03-31T08:00:00+07:00"),
        ("2021-03-31T08:00:00+00:00", "2021-03-31T08:00:00+00:00"),
    ],
)
def test_the_editor_takes_a_time_in_the_sites_zone(typed: str, stored: str) -> None:
    assert normalize_form_date(typed, ZoneInfo("Asia/Ho_Chi_Minh")) == stored


@pytest.mark.parametrize("written", ["2021-03-14 02:30", dt.datetime(2021, 3, 14, 2, 30)])
def test_a_time_the_clocks_skip_is_said_so(written: object) -> None:
    with pytest.raises(FieldError) as info:
        normalize_published(written, ZoneInfo("America/New_York"))
    assert info.value.localized("en") == (
        "'2021-03-14 02:30:00' is a time the clocks skip in America/New_York (summer time begins)"
        if isinstance(written, dt.datetime)
        else "'2021-03-14 02:30' is a time the clocks skip in America/New_York (summer time begins)"
    )
    with pytest.raises(FieldError) as typed:
        normalize_form_date("14/03/2021 02:30", ZoneInfo("America/New_York"))
    assert "giờ mùa hè" in typed.value.localized("vi")
