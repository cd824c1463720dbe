from __future__ import annotations

import pytest

from reader.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify


def test_vietnamese_title_is_transliterated() -> None:
    title = "Bắc Kạn nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"
    assert slugify(title) == "bac-kan-nang-cao-chat-luong-doi-ngu-can-bo-cong-chuc-vien-chuc"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Đường Ưu tiên: Ở đâu?", "duong-uu-tien-o-dau"),
        ("  Text size in numbers: 200 % and 400 %  ", "text-size-in-numbers-200-and-400"),
        ("Ænima — Straße", "aenima-strasse"),
        ("日本語", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_are_cut_between_words() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert slug.endswith("word") and is_valid_slug(slug)


@pytest.mark.parametrize("slug", ["Abc", "a--b", "-a", "a-", "a b", "a/b", "", "x" * 81, "ắ"])
def test_invalid_slugs(slug: str) -> None:
    assert not is_valid_slug(slug)


def test_a_trailing_line_break_is_not_part_of_a_valid_slug() -> None:
    # re.match with $ would take "a\n": $ also matches before a final line break.
    assert is_valid_slug("abc") and not is_valid_slug("abc\n")
