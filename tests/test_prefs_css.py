"""Issue 16, item 2: the rules for every preference step, font and palette come from reader.prefs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reader import prefs, specimens
from reader.css import declarations_for, parse_rules
from reader.paths import STATIC_DIR
from reader.prefs_css import (
    BEGIN,
    END,
    REGENERATE,
    StaleStylesheet,
    custom_colors_css,
    generated_css,
    generated_section,
    print_palette_css,
    with_component_section,
    with_generated_section,
)

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "css" / "reader.css"
COMPONENT_STYLESHEET = STYLESHEET.with_name("reader-article.css")


def test_the_committed_stylesheet_is_what_the_model_gives() -> None:
    committed = generated_section(STYLESHEET.read_text(encoding="utf-8"))
    assert committed == generated_css().strip("\n"), f"static/css/reader.css is stale: run {REGENERATE}"


def test_the_component_prints_with_the_models_print_palette(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its shadow root has no html element for reader.css's print rule: its own stylesheet has the same palette.
    committed = COMPONENT_STYLESHEET.read_text(encoding="utf-8")
    assert with_component_section(committed) == committed, f"static/css/reader-article.css is stale: run {REGENERATE}"
    assert generated_section(committed) == print_palette_css(":host").strip("\n")
    paper = declarations_for(parse_rules(generated_section(committed)), (":host .reader[data-theme]",), "print")
    assert paper["--reader-fg"] == prefs.PRINT_PALETTE.fg and paper["--reader-bg"] == prefs.PRINT_PALETTE.bg
    monkeypatch.setattr(prefs, "PRINT_PALETTE", dataclasses.replace(prefs.PRINT_PALETTE, fg="#111111"))
    assert with_component_section(committed) != committed


def test_changing_a_step_a_palette_or_a_font_changes_the_css(monkeypatch: pytest.MonkeyPatch) -> None:
    before = generated_css()
    monkeypatch.setitem(prefs.NUMERIC_STEPS, "line_height", (*prefs.LINE_HEIGHTS, 3.0))
    monkeypatch.setitem(prefs.PALETTES, "sepia", dataclasses.replace(prefs.PALETTES["sepia"], bg="#f0e0c0"))
    serif = dataclasses.replace(prefs.FONT_CHOICES["serif"], stack='"Source Serif", serif')
    monkeypatch.setitem(prefs.FONT_CHOICES, "serif", serif)
    after = parse_rules(generated_css())
    assert generated_css() != before
    assert declarations_for(after, ('.reader[data-lh="3"]',)) == {"--reader-lh": "3"}
    assert declarations_for(after, ('.reader[data-theme="sepia"]',))["--reader-bg"] == "#f0e0c0"
    assert declarations_for(after, ('.reader-swatch[data-swatch="sepia"]',))["background"] == "#f0e0c0"
    assert declarations_for(after, ('.reader[data-font="serif"]',))["--reader-font"] == '"Source Serif", serif'
    sample = declarations_for(after, ('.reader-font-sample[data-sample-font="serif"]',))
    assert sample["font-family"] == '"Source Serif", serif'
    # And the stale file is noticed, then rewritten between its markers only.
    committed = STYLESHEET.read_text(encoding="utf-8")
    assert generated_section(committed) != generated_css().strip("\n")
    rewritten = with_generated_section(committed)
    assert rewritten.split(BEGIN)[0] == committed.split(BEGIN)[0]
    assert rewritten.split(END)[1] == committed.split(END)[1]
    assert generated_section(rewritten) == generated_css().strip("\n")


def test_every_step_font_and_theme_has_its_rule() -> None:
    rules = parse_rules(generated_css())
    for field, steps in prefs.NUMERIC_STEPS.items():
        for step in steps:
            selector = f'.reader[{prefs.DATA_ATTRIBUTES[field]}="{prefs.fmt(step)}"]'
            assert declarations_for(rules, (selector,)), selector
    for font in prefs.FONTS:
        assert declarations_for(rules, (f'.reader[data-font="{font}"]',))["--reader-font"]
    for theme in prefs.THEMES:
        palette = declarations_for(rules, (".reader", f'.reader[data-theme="{theme}"]'))
        expected = prefs.PALETTES.get(theme, prefs.PALETTES[prefs.AUTO_PALETTES["light"]])
        assert palette["--reader-bg"] == expected.bg and palette["--reader-focus-bg"] == expected.focus_bg
    auto_dark = declarations_for(rules, ('.reader[data-theme="auto"]',), at_rule="prefers-color-scheme: dark")
    assert auto_dark["--reader-bg"] == prefs.PALETTES[prefs.AUTO_PALETTES["dark"]].bg
    large = declarations_for(rules, ('.reader[data-size="400"]',))
    assert large == {
        "--reader-scale": "4",
        "--reader-heading-scale": prefs.fmt(prefs.HEADING_SCALES[400.0]),
        "--reader-controls-scale": "0.5",  # the controls stay at 200 % (CONTROLS_SIZE_LIMIT)
    }
    at_limit = declarations_for(rules, (f'.reader[data-size="{prefs.fmt(prefs.CONTROLS_SIZE_LIMIT)}"]',))
    assert "--reader-controls-scale" not in at_limit


def test_a_stylesheet_without_its_markers_is_refused() -> None:
    with pytest.raises(StaleStylesheet):
        generated_section(".reader { color: red }")
    with pytest.raises(StaleStylesheet):
        with_generated_section(f"{BEGIN}\n{BEGIN}\n{END}")


def test_custom_colours_use_the_same_palette_properties() -> None:
    rules = parse_rules(custom_colors_css("#2a1a00", "#fff8e7"))
    custom = declarations_for(rules, ('.reader[data-colors="custom"]',))
    themed = declarations_for(parse_rules(generated_css()), ('.reader[data-theme="dark"]',))
    assert set(custom) == set(themed) | {"--reader-link-decoration"}
    assert custom["--reader-bg"] == "#fff8e7" and custom["--reader-link"] == "#2a1a00"
    assert custom["color-scheme"] == "light"


def test_font_buttons_use_no_web_font_and_draw_web_fonts_only_in_an_open_panel() -> None:
    # A system font's button is set in its stack (it downloads nothing); a web font's shows its drawing
    # (reader.specimens), sized from the drawing's view, and only in an open panel: a closed panel fetches
    # nothing. No rule sets a font button in a web font: that would download it.
    rules = parse_rules(generated_css())
    web = specimens.web_fonts(STATIC_DIR)
    assert web == ("lexend", "opendyslexic", "atkinson")
    for name, font in prefs.FONT_CHOICES.items():
        sample = declarations_for(rules, (f'.reader-font-sample[data-sample-font="{name}"]',))
        assert sample == ({} if name in web else {"font-family": font.stack}), name
    for view in specimens.views(STATIC_DIR).values():
        selector = f'.reader-specimen[data-specimen="{view.id}"]'
        assert declarations_for(rules, (selector,)) == {}
        drawn = declarations_for(rules, (f".reader-panel[open] {selector}",))
        assert drawn["--reader-specimen"] == f'url("../img/font-specimens.svg#{view.id}")'
        assert drawn["inline-size"] == f"{view.width / 1000:g}em"
        assert drawn["aspect-ratio"] == f"{view.width} / {view.height}"
        assert drawn["vertical-align"] == f"{-view.descent / 1000:g}em"
