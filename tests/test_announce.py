from __future__ import annotations

from reader.announce import announce
from reader.prefs import DEFAULTS, Preferences, apply_form


def test_size_in_vietnamese_and_english() -> None:
    outcome = apply_form(Preferences(size=112.5), {"action": "bigger"})
    assert announce(outcome, "vi") == "Cỡ chữ 125\u00a0%"
    assert announce(outcome, "en") == "Text size 125\u00a0%"


def test_vietnamese_decimals_use_a_comma() -> None:
    outcome = apply_form(DEFAULTS, {"line_height": "1.8"})
    assert announce(outcome, "vi") == "Giãn dòng 1,8"
    assert announce(outcome, "en") == "Line height 1.8"


def test_only_changed_fields_are_announced() -> None:
    form = {"size": "100", "line_height": "1.6", "width": "45", "theme": "auto"}
    assert announce(apply_form(DEFAULTS, form), "en") == "Lines of at most 45 characters"
    assert announce(apply_form(DEFAULTS, {"size": "100"}), "en") == "No change"


def test_limits_and_refusals() -> None:
    top = apply_form(Preferences(size=400.0), {"action": "bigger"})
    assert announce(top, "en") == "Text size 400\u00a0%, the largest"
    refused = apply_form(DEFAULTS, {"text_color": "#777777", "background_color": "#ffffff"})
    assert announce(refused, "vi") == "Chưa áp dụng màu: độ tương phản chỉ là 4,4:1, cần ít nhất 7:1"
    faint = apply_form(DEFAULTS, {"text_color": "#eeeeee", "background_color": "#fdf6e3"})  # 1.076:1, not "1:1"
    assert announce(faint, "vi") == "Chưa áp dụng màu: độ tương phản chỉ là 1,07:1, cần ít nhất 7:1"
    assert announce(faint, "en") == "Colours not applied: their contrast is 1.07:1, and at least 7:1 is needed"


def test_presets() -> None:
    assert announce(apply_form(DEFAULTS, {"action": "reset"}), "vi") == "Đã đặt lại tất cả cài đặt"
    text = announce(apply_form(DEFAULTS, {"action": "preset-spacing"}), "en")
    assert text.startswith("Wide text spacing applied; Line height 1.5;")


def test_shortcut_keys_are_announced_as_they_are_stored() -> None:
    """As the field shows the key from then on: letters in lower case, whatever case was typed."""
    assert announce(apply_form(DEFAULTS, {"key_play": "p"}), "en") == "Key for Read aloud / pause: p"
    assert announce(apply_form(DEFAULTS, {"key_play": "Ư"}), "vi").endswith(": ư")
    assert announce(apply_form(DEFAULTS, {"key_play": "ß"}), "en") == "Key for Read aloud / pause: ß"
