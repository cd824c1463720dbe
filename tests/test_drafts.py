from __future__ import annotations

import datetime as dt
import re
import unicodedata

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
    visible = re.compile(VISIBLE_CHARACTER)
    survives = [point for point in range(0x110000) if clean_text(chr(point)).split()]
    assert sum(1 for point in range(0x110000) if visible.fullmatch(chr(point))) == sum(
        1 for point in survives if visible.fullmatch(chr(point))
    )
    unseen = [point for point in survives if not visible.fullmatch(chr(point))]
    khmer_inherent_vowels = (0x17B4, 0x17B5)
    for point in unseen:
        name = unicodedata.name(chr(point), "")
        assert (
            unicodedata.category(chr(point)) == "Cf" or "FILLER" in name or "VARIATION SELECTOR" in name
            or point == 0x034F or point in khmer_inherent_vowels
        ), hex(point)  # fmt: skip
    assert len(unseen) == 59  # the ranges as written, none lost or added by a typo


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
    assert published.message == "'2021-02-30' is not an ISO 8601 date or date-time"
    assert published.localized("vi") == "“2021-02-30” không phải là ngày hợp lệ theo ISO 8601"
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
    ],
)
def test_an_impossible_date_says_why(typed: str, vi: str) -> None:
    with pytest.raises(FieldError) as info:
        normalize_form_date(typed)
    assert info.value.field == "published" and info.value.localized("vi") == vi
