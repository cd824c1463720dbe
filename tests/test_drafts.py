from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from reader.drafts import FieldError, draft_from_fields, normalize_lang, normalize_published

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
        ({**BASE, "published": "31/03/2021"}, "published"),
        ({**BASE, "published": 2021}, "published"),
        ({**BASE, "source_url": "javascript:alert(1)"}, "source_url"),
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
        (dt.date(2021, 3, 31), "2021-03-31"),
        (None, None),
    ],
)
def test_published_dates(raw: object, stored: str | None) -> None:
    assert normalize_published(raw) == stored
