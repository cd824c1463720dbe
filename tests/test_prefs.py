from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.prefs import (
    CHOICES,
    DEFAULTS,
    MAX_COOKIE_LENGTH,
    NUMERIC_STEPS,
    SIZES,
    Preferences,
    apply_form,
    snap,
)

prefs_strategy = st.builds(
    Preferences,
    size=st.sampled_from(NUMERIC_STEPS["size"]),
    line_height=st.sampled_from(NUMERIC_STEPS["line_height"]),
    letter_spacing=st.sampled_from(NUMERIC_STEPS["letter_spacing"]),
    word_spacing=st.sampled_from(NUMERIC_STEPS["word_spacing"]),
    paragraph_spacing=st.sampled_from(NUMERIC_STEPS["paragraph_spacing"]),
    width=st.sampled_from(NUMERIC_STEPS["width"]),
    font=st.sampled_from(CHOICES["font"]),
    theme=st.sampled_from(CHOICES["theme"]),
    underline_links=st.booleans(),
    text_color=st.just(None),
    background_color=st.just(None),
)


def test_the_table_of_values() -> None:
    assert 200.0 in SIZES and SIZES[0] == 87.5 and SIZES[-1] == 400.0
    assert DEFAULTS.line_height >= 1.5 and 1.5 in NUMERIC_STEPS["line_height"]
    assert 0.12 in NUMERIC_STEPS["letter_spacing"] and max(NUMERIC_STEPS["letter_spacing"]) == 0.24
    assert 0.16 in NUMERIC_STEPS["word_spacing"] and max(NUMERIC_STEPS["word_spacing"]) == 0.4
    assert {1.5, 2.0} <= set(NUMERIC_STEPS["paragraph_spacing"])
    assert max(NUMERIC_STEPS["width"]) == 80


def test_defaults_serialize_to_the_bare_version() -> None:
    assert DEFAULTS.to_cookie() == "1"
    assert Preferences.from_cookie("1") == DEFAULTS


def test_cookie_format_is_short_and_documented() -> None:
    prefs = Preferences(size=200.0, line_height=1.8, theme="dark", underline_links=False)
    assert prefs.to_cookie() == "1|s:200|lh:1.8|t:dark|u:0"


@settings(max_examples=300, deadline=None)
@given(prefs_strategy)
def test_round_trip(prefs: Preferences) -> None:
    cookie = prefs.to_cookie()
    assert len(cookie) < MAX_COOKIE_LENGTH // 2
    assert Preferences.from_cookie(cookie) == prefs


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=600))
def test_any_cookie_string_gives_valid_preferences(raw: str) -> None:
    prefs = Preferences.from_cookie(raw)
    for field, steps in NUMERIC_STEPS.items():
        assert getattr(prefs, field) in steps
    for field, choices in CHOICES.items():
        assert getattr(prefs, field) in choices
    assert isinstance(prefs.underline_links, bool)
    assert Preferences.from_cookie(prefs.to_cookie()) == prefs


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["s", "lh", "ls", "ws", "ps", "w", "f", "t", "u", "fg", "bg", "zz"]),
            st.text(alphabet="0123456789abcdef.-x", max_size=8),
        ),
        max_size=12,
    )
)
def test_fields_fall_back_one_by_one(pairs: list[tuple[str, str]]) -> None:
    raw = "1|" + "|".join(f"{k}:{v}" for k, v in pairs)
    prefs = Preferences.from_cookie(raw)
    assert Preferences.from_cookie(prefs.to_cookie()) == prefs


@pytest.mark.parametrize(
    "raw",
    [
        "garbage",
        "2|s:200",
        "1|s:201",
        "1|s:2e2",
        "<script>alert(1)</script>",
        "1|s:200|" + "x" * 500,
        "1|t:neon",
    ],
)
def test_tampered_cookies(raw: str) -> None:
    prefs = Preferences.from_cookie(raw)
    assert prefs.size == 100.0 and prefs.theme == "auto"


def test_one_bad_field_keeps_the_good_ones() -> None:
    prefs = Preferences.from_cookie("1|s:200|lh:9|t:sepia|f:comic")
    assert (prefs.size, prefs.line_height, prefs.theme, prefs.font) == (
        200.0,
        DEFAULTS.line_height,
        "sepia",
        "sans",
    )


def test_custom_colours_need_seven_to_one() -> None:
    assert Preferences.from_cookie("1|fg:000000|bg:ffffff").custom_colors
    low = Preferences.from_cookie("1|fg:777777|bg:ffffff")
    assert not low.custom_colors and low.text_color is None
    assert Preferences.from_cookie("1|fg:000000").text_color is None


def test_bigger_and_smaller_walk_the_steps() -> None:
    outcome = apply_form(DEFAULTS, {"action": "bigger"})
    assert outcome.prefs.size == 112.5 and outcome.changed == ("size",)
    top = apply_form(Preferences(size=400.0), {"action": "bigger"})
    assert top.prefs.size == 400.0 and top.limit_reached and top.changed == ()
    bottom = apply_form(Preferences(size=87.5), {"action": "smaller"})
    assert bottom.prefs.size == 87.5 and bottom.limit_reached


def test_presets_and_reset() -> None:
    spacing = apply_form(DEFAULTS, {"action": "preset-spacing"}).prefs
    assert (spacing.line_height, spacing.paragraph_spacing, spacing.letter_spacing, spacing.word_spacing) == (
        1.5,
        2.0,
        0.12,
        0.16,
    )
    large = apply_form(DEFAULTS, {"action": "preset-large"}).prefs
    assert (large.size, large.line_height, large.width) == (200.0, 1.8, 66.0)
    assert apply_form(large, {"action": "reset"}).prefs == DEFAULTS


@pytest.mark.parametrize(
    ("form", "field", "value"),
    [
        ({"size": "200"}, "size", 200.0),
        ({"size": "1000"}, "size", 400.0),
        ({"size": "-5"}, "size", 87.5),
        ({"size": "199"}, "size", 200.0),
        ({"line_height": "9"}, "line_height", 2.6),
        ({"letter_spacing": "0,12"}, "letter_spacing", 0.12),
        ({"width": "200"}, "width", 80.0),
        ({"width": "10"}, "width", 45.0),
        ({"paragraph_spacing": "0"}, "paragraph_spacing", 0.5),
    ],
)
def test_out_of_range_values_are_clamped(form: dict[str, str], field: str, value: float) -> None:
    assert getattr(apply_form(DEFAULTS, form).prefs, field) == value


@pytest.mark.parametrize(
    "form",
    [
        {"size": "big"},
        {"size": "nan"},
        {"size": "inf"},
        {"theme": "neon"},
        {"font": "comic"},
        {"underline_links": "maybe"},
        {"action": "explode"},
    ],
)
def test_invalid_values_are_refused(form: dict[str, str]) -> None:
    outcome = apply_form(DEFAULTS, form)
    assert outcome.prefs == DEFAULTS and outcome.refused


def test_low_contrast_colours_are_refused_with_the_ratio() -> None:
    outcome = apply_form(DEFAULTS, {"text_color": "#777777", "background_color": "#ffffff"})
    assert not outcome.prefs.custom_colors
    assert outcome.refused[0].reason == "low-contrast" and outcome.refused[0].detail["ratio"] == "4.4"
    good = apply_form(DEFAULTS, {"text_color": "#1a1a1a", "background_color": "#fdf6e3"})
    assert good.prefs.custom_colors and good.changed == ("text_color", "background_color")
    cleared = apply_form(good.prefs, {"colors": "default", "text_color": "#1a1a1a", "background_color": "#fdf6e3"})
    assert not cleared.prefs.custom_colors


def test_a_font_without_the_language_falls_back() -> None:
    prefs = Preferences(font="atkinson")
    assert prefs.font_for("vi") == "sans" and prefs.font_for("en") == "atkinson"
    assert prefs.data_attributes("vi")["data-font"] == "sans"


def test_snap() -> None:
    assert snap(SIZES, 180) == 175.0 and snap(SIZES, 187.5) == 175.0


def test_data_attributes_cover_every_setting() -> None:
    attrs = dataclasses.replace(DEFAULTS, text_color="#000000", background_color="#ffffff").data_attributes("en")
    assert set(attrs) == {
        "data-size",
        "data-lh",
        "data-ls",
        "data-ws",
        "data-ps",
        "data-width",
        "data-font",
        "data-theme",
        "data-links",
        "data-colors",
    }
