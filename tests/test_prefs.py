from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.colors import contrast_ratio, relative_luminance
from reader.prefs import (
    CHOICES,
    DEFAULTS,
    FONTS,
    MAX_COOKIE_LENGTH,
    MAX_VOICE_NAME,
    MAX_VOICES,
    NUMERIC_STEPS,
    PALETTES,
    PRINT_PALETTE,
    READING_GUIDES,
    SHORTCUT_KEYS,
    SIZES,
    SPEECH_RATES,
    Palette,
    Preferences,
    apply_form,
    fonts_for,
    snap,
    voice_name,
)

# Voice names as browsers report them: any printable text, "|", ":" and "%" included.
voice_names = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=MAX_VOICE_NAME)
    .map(str.strip)
    .filter(lambda name: voice_name(name) == name)
)
voices_strategy = st.lists(
    st.tuples(st.sampled_from(["vi", "en", "fr", "zh"]), voice_names),
    max_size=MAX_VOICES,
    unique_by=lambda pair: pair[0],
).map(tuple)
keys_strategy = st.lists(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789,./;'[]-=?"), min_size=3, max_size=3, unique=True
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
    speech_rate=st.sampled_from(SPEECH_RATES),
    voices=voices_strategy,
    reading_guide=st.sampled_from(READING_GUIDES),
    shortcuts=st.booleans(),
).flatmap(
    lambda prefs: keys_strategy.map(
        lambda keys: dataclasses.replace(prefs, **dict(zip(SHORTCUT_KEYS, keys, strict=True)))
    )
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
    assert len(cookie) < MAX_COOKIE_LENGTH
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
    assert prefs.speech_rate in SPEECH_RATES and prefs.reading_guide in READING_GUIDES
    assert len({getattr(prefs, field) for field in SHORTCUT_KEYS}) == 3
    assert len(prefs.voices) <= MAX_VOICES
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
        "1|s:200|" + "x" * MAX_COOKIE_LENGTH,
        "1|t:neon",
    ],
)
def test_tampered_cookies(raw: str) -> None:
    prefs = Preferences.from_cookie(raw)
    assert prefs.size == 100.0 and prefs.theme == "auto"


@pytest.mark.parametrize(
    ("raw", "unread"),
    [
        ("1", 0), ("1|s:200|t:dark", 0), ("1|s:200|t:da", 1), ("1|s:200|lh:9|t:sepia|f:comic", 2),
        ("1|s:200|s:300", 1), ("1|s", 1), ("1||", 2), ("", 1), (None, 1), ("2|s:200", 1), ("garbage", 1),
        ("1|fg:000000", 1), ("1|fg:000000|bg:111111", 2), ("1|fg:000000|bg:ffffff", 0),
    ],
)  # fmt: skip
def test_reading_a_value_counts_the_parts_it_could_not_read(raw: str | None, unread: int) -> None:
    prefs, count = Preferences.read(raw)
    assert count == unread and prefs == Preferences.from_cookie(raw)


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


@pytest.mark.parametrize(
    ("size", "action", "steps", "expected", "limit"),
    [
        (100.0, "bigger", "3", 150.0, False),
        (250.0, "bigger", "2", 400.0, False),  # reaches the largest with the last press: not one too many
        (250.0, "bigger", "4", 400.0, True),  # past it: clamped, and said to be the largest
        (112.5, "smaller", "5", 87.5, True),
        (100.0, "bigger", "99999", 400.0, True),  # more than there are sizes: to the end, no further
        (100.0, "bigger", "0", 112.5, False),  # not a count of presses: one press, as without the field
        (100.0, "bigger", "-2", 112.5, False),
        (100.0, "bigger", "²", 112.5, False),
        (100.0, "bigger", "", 112.5, False),
    ],
)
def test_presses_sent_as_one_take_as_many_steps(
    size: float, action: str, steps: str, expected: float, limit: bool
) -> None:
    """A+ or A− pressed several times while a change was on its way comes as one form with `steps`
    (static/js/settings-swap.js): the same size, and the same "the largest", as that many single presses."""
    outcome = apply_form(Preferences(size=size), {"action": action, "steps": steps})
    assert (outcome.prefs.size, outcome.limit_reached) == (expected, limit)
    if steps.isascii() and steps.isdigit() and 0 < int(steps) <= 10:
        single = Preferences(size=size)
        for _ in range(int(steps)):
            last = apply_form(single, {"action": action})
            single = last.prefs
        assert (single.size, last.limit_reached) == (expected, limit)


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
    # Near 1:1, two decimals: "1:1" said of colours that differ (1.076:1) read as the same colour twice.
    faint = apply_form(DEFAULTS, {"text_color": "#eeeeee", "background_color": "#fdf6e3"})
    assert faint.refused[0].detail["ratio"] == "1.07"
    barely = apply_form(DEFAULTS, {"text_color": "#fefefe", "background_color": "#ffffff"})  # 1.009:1
    assert barely.refused[0].detail["ratio"] == "1.01"
    same = apply_form(DEFAULTS, {"text_color": "#ffffff", "background_color": "#ffffff"})
    assert same.refused[0].detail["ratio"] == "1"
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


# ---------- read aloud and the reading guide ----------


def test_read_aloud_settings_in_the_documented_cookie_format() -> None:
    prefs = Preferences(speech_rate=1.25, reading_guide="3", shortcuts=False, key_play="p").with_voice(
        "vi", "Microsoft HoaiMy Online (Natural) - Vietnamese (Vietnam)"
    )
    assert prefs.to_cookie() == (
        "1|sr:1.25|v-vi:Microsoft%20HoaiMy%20Online%20%28Natural%29%20-%20Vietnamese%20%28Vietnam%29|g:3|k:0|kp:p"
    )
    assert Preferences.from_cookie(prefs.to_cookie()) == prefs
    assert prefs.voice_for("vi-VN") == "Microsoft HoaiMy Online (Natural) - Vietnamese (Vietnam)"
    assert prefs.voice_for("en") == ""
    # Nothing here is a presentation setting: the wrapper's data attributes stay as they were.
    assert prefs.data_attributes("vi") == DEFAULTS.data_attributes("vi")


@settings(max_examples=300, deadline=None)
@given(voice_names)
def test_any_voice_name_is_kept_exactly_and_only_cookie_safe_characters_are_written(name: str) -> None:
    cookie = DEFAULTS.with_voice("vi", name).to_cookie()
    assert Preferences.from_cookie(cookie).voice_for("vi") == name
    assert all(c.isascii() and c.isprintable() and c not in ' ",;\\' for c in cookie)
    assert cookie.count("|") == 1 and cookie.split("|")[1].count(":") == 1


def test_voices_are_kept_per_language_and_the_oldest_choice_goes_first() -> None:
    prefs = DEFAULTS
    for lang, name in [("vi", "Linh"), ("en", "Samantha"), ("fr", "Thomas"), ("vi", "An")]:
        prefs = apply_form(prefs, {"voice": name, "voice_lang": lang}).prefs
    assert prefs.voices == (("en", "Samantha"), ("fr", "Thomas"), ("vi", "An"))
    prefs = apply_form(prefs, {"voice": "Yuna", "voice_lang": "ko-KR"}).prefs
    assert prefs.voices == (("fr", "Thomas"), ("vi", "An"), ("ko", "Yuna"))
    automatic = apply_form(prefs, {"voice": "", "voice_lang": "vi"})
    assert automatic.prefs.voice_for("vi") == "" and automatic.changed == ("voices",)


@pytest.mark.parametrize(
    "form",
    [
        {"voice": "Linh", "voice_lang": "vietnamese"},
        {"voice": "Linh"},
        {"voice": "x" * (MAX_VOICE_NAME + 1), "voice_lang": "vi"},
        {"voice": "Việt" * 25, "voice_lang": "vi"},  # 100 characters, 825 bytes once encoded
        {"voice": "Linh\x00", "voice_lang": "vi"},
        {"speech_rate": "fast"},
        {"reading_guide": "7"},
        {"shortcuts": "sometimes"},
        {"key_play": ""},
        {"key_play": "ab"},
        {"key_play": "\t"},
        {"key_play": "j"},  # the key for "previous sentence" already
    ],
)
def test_read_aloud_values_that_are_refused(form: dict[str, str]) -> None:
    outcome = apply_form(DEFAULTS, form)
    assert outcome.prefs == DEFAULTS and outcome.refused


def test_speech_rates_snap_and_keys_are_remapped_together() -> None:
    assert apply_form(DEFAULTS, {"speech_rate": "3"}).prefs.speech_rate == 2.0
    assert apply_form(DEFAULTS, {"speech_rate": "1,3"}).prefs.speech_rate == 1.25
    # Swapping two keys in one form is fine: only the result must give each action its own key.
    swapped = apply_form(DEFAULTS, {"key_previous": "L", "key_next": "j"})
    assert (swapped.prefs.key_previous, swapped.prefs.key_next) == ("l", "j") and not swapped.refused


@pytest.mark.parametrize(
    "raw",
    ["1|kp:j", "1|kp:ab", "1|kp:%", "1|kp:%ZZ", "1|v-vi:", "1|v-VI:Linh", "1|v-vie1:Linh", "1|v-vi:%FF"],
)
def test_tampered_read_aloud_cookies_fall_back(raw: str) -> None:
    prefs = Preferences.from_cookie(raw)
    assert (prefs.key_play, prefs.key_previous, prefs.key_next) == ("k", "j", "l")
    assert prefs.voice_for("vi") == ""


# Palettes: what every colour must reach against what it sits on (WCAG 1.4.6 for text, 1.4.11 and 2.4.13
# for boundaries, the focus ring and the flag underline).
TEXT_PAIRS = [("fg", "bg"), ("muted", "bg"), ("link", "bg"), ("link_visited", "bg"), ("control_fg", "control_bg"),
              ("pressed_fg", "pressed_bg"), ("focus_fg", "focus_bg"), ("fg", "mark_bg")]  # fmt: skip
BOUNDARY_PAIRS = [("border", "bg"), ("focus", "bg"), ("mark_line", "mark_bg"), ("mark_line", "bg")]


@pytest.mark.parametrize("name", [*PALETTES, "print", "custom"])
def test_every_palette_meets_its_contrast(name: str) -> None:
    palette = {"print": PRINT_PALETTE, "custom": Palette.custom("#2a1a00", "#fff8e7")}.get(name) or PALETTES[name]
    for first, second in TEXT_PAIRS:
        ratio = contrast_ratio(getattr(palette, first), getattr(palette, second))
        assert ratio >= 7, (name, first, second, ratio)
    for first, second in BOUNDARY_PAIRS:
        if getattr(palette, second) != getattr(palette, first):  # a custom pair tints nothing
            ratio = contrast_ratio(getattr(palette, first), getattr(palette, second))
            assert ratio >= 3, (name, first, second, ratio)
    dark = relative_luminance(palette.bg) < relative_luminance(palette.fg)
    assert palette.scheme == ("dark" if dark else "light")


def test_fonts_are_offered_only_for_languages_they_cover() -> None:
    assert fonts_for("vi") == ("sans", "serif", "lexend", "opendyslexic")
    assert fonts_for("en-GB") == FONTS
    assert Preferences(font="atkinson").font_for("vi-VN") == "sans"
    assert Preferences(font="atkinson").font_for("en") == "atkinson"


def test_the_cookie_never_holds_what_a_header_cannot_carry() -> None:
    # Validation keeps such values out; should one get past it, its part is left out (the field falls back to
    # its default) rather than the answer carrying an invalid header.
    broken = dataclasses.replace(DEFAULTS, size=200.0, voices=(("vi\n", "Linh"), ("en", "Daniel")))
    assert broken.to_cookie() == "1|s:200|v-en:Daniel"
    assert Preferences.from_cookie("1|s:200|v-vi\n:Linh").voices == ()


def test_choosing_a_theme_turns_the_readers_own_colours_off() -> None:
    # The theme buttons said "Dark", ticked, while the reader's own colours went on showing over it.
    mine = Preferences.from_cookie("1|fg:000000|bg:ffffcc")
    outcome = apply_form(mine, {"theme": "dark"})
    assert outcome.prefs.theme == "dark" and not outcome.prefs.custom_colors
    assert outcome.prefs.text_color is None and outcome.prefs.background_color is None
    # Any other setting keeps them, the panel's other toggles included.
    kept = apply_form(mine, {"underline_links": "off", "size": "150"})
    assert kept.prefs.custom_colors and kept.prefs.text_color == mine.text_color
    # And colours chosen together with a theme (the no-JavaScript panel sends both) are the reader's.
    both = apply_form(DEFAULTS, {"theme": "sepia", "text_color": "#000000", "background_color": "#ffffcc"})
    assert both.prefs.custom_colors and both.prefs.theme == "sepia"


def test_a_form_drawn_before_a_newer_change_applies_only_what_the_reader_changed() -> None:
    """Three ways: the keys and the voice a stale form changes go onto the current ones, and a key it sets
    that now clashes with a key changed since is refused rather than stored."""
    current = Preferences(size=200.0, key_play="x", voices=(("en", "Daniel"),))
    drawn = Preferences()
    form = {"key_play": "k", "key_previous": "j", "key_next": "m", "voice": "Linh", "voice_lang": "vi"}
    outcome = apply_form(current, form, drawn=drawn)
    assert outcome.prefs == dataclasses.replace(current, key_next="m", voices=(("en", "Daniel"), ("vi", "Linh")))
    clash = apply_form(current, {"key_play": "k", "key_previous": "j", "key_next": "x"}, drawn=drawn)
    assert clash.prefs == current and [r.reason for r in clash.refused] == ["same-key"]
    # "Use theme colours" turns off colours chosen since the page was drawn.
    coloured = dataclasses.replace(current, text_color="#ffff00", background_color="#000080")
    assert apply_form(coloured, {"colors": "default"}, drawn=drawn).prefs == current
    # The colours are one pair: one of them changed on a stale page takes the other as that page showed it.
    shown = dataclasses.replace(current, text_color="#000000", background_color="#ffff00")
    since = dataclasses.replace(current, text_color="#ffffff", background_color="#000000")
    pair = apply_form(since, {"text_color": "#0000ff", "background_color": "#ffff00"}, drawn=shown).prefs
    assert (pair.text_color, pair.background_color) == ("#0000ff", "#ffff00")
    half = apply_form(current, {"text_color": "#0000ff", "background_color": "#ffff00"}, drawn=shown).prefs
    assert (half.text_color, half.background_color) == ("#0000ff", "#ffff00")
    # Other actions are not merged: a preset sets its values on the current settings.
    assert apply_form(current, {"action": "preset-large", "size": "100"}, drawn=drawn).prefs.size == 200.0
