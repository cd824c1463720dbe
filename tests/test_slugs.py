from __future__ import annotations

import pytest

from reader.slugs import MAX_SEARCH_WORDS, MAX_SLUG_LENGTH, is_valid_slug, search_is_cut, search_words, slugify


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


def test_a_search_is_cut_after_its_eighth_word() -> None:
    eight = " ".join(f"w{n}" for n in range(MAX_SEARCH_WORDS))
    assert MAX_SEARCH_WORDS == 8 and not search_is_cut(eight) and search_is_cut(eight + " nine")
    assert search_words(eight + " nine") == search_words(eight) == [f"w{n}" for n in range(8)]
    assert not search_is_cut("Bắc  Kạn!!! — ") and search_words("Bắc  Kạn!!! — ") == ["bac", "kan"]
