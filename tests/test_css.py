from __future__ import annotations

import re

import pytest

from reader.css import CalcError, declarations_for, evaluate, parse_rules
from reader.paths import STATIC_DIR

CSS = """
/* a comment { with braces } */
.a, .b { --x: 2; color: red }
.b { --x: 3 }
@media (prefers-color-scheme: dark) { .a { --x: 4; } }
@media print { .a { --x: 5 } }
"""


def test_rules_keep_their_at_rule_context() -> None:
    rules = parse_rules(CSS)
    assert [(rule.selectors, rule.at_rules) for rule in rules] == [
        ((".a", ".b"), ()),
        ((".b",), ()),
        ((".a",), ("@media (prefers-color-scheme: dark)",)),
        ((".a",), ("@media print",)),
    ]
    assert declarations_for(rules, (".a",)) == {"--x": "2", "color": "red"}
    assert declarations_for(rules, (".a", ".b")) == {"--x": "3", "color": "red"}
    assert declarations_for(rules, (".a",), at_rule="prefers-color-scheme: dark")["--x"] == "4"


def test_calc_with_variables_units_and_fallbacks() -> None:
    variables = {"--m": "66", "--c": "0.5", "--col": "calc(var(--m) * var(--c) * 1ch)"}
    units = {"ch": 10.0, "rem": 16.0, "px": 1.0}
    assert evaluate("calc(var(--col) + 2 * var(--gutter, 1rem))", variables, units) == pytest.approx(362)
    assert evaluate("max(24px, 2rem)", variables, units) == 32
    assert evaluate("calc(-2 * (3 - 1) / 4)", {}, {}) == -1
    with pytest.raises(CalcError):
        evaluate("var(--missing)", {}, {})
    with pytest.raises(CalcError):
        evaluate("10vw", {}, {})


def test_every_custom_property_reader_reads_is_set_on_the_wrapper() -> None:
    # Custom properties inherit, and `all: initial` on <reader-article>'s :host does not reset them: one a page
    # set on the element (or on an element around a fragment) reached every var() that reader's own rules left
    # without a value, fallbacks included (`reader-article { --reader-gutter: 200px }` gave the article 200 px
    # margins). So every property read is set on the wrapper (.reader, or :host), outside any at-rule, to a value
    # of reader's own: `inherit` (or `unset`, `revert`) passes on the one from around the wrapper.
    rules = [rule for path in sorted((STATIC_DIR / "css").glob("*.css")) for rule in parse_rules(path.read_text())]
    on_wrapper = [
        (name, value)
        for rule in rules
        if not rule.at_rules and {".reader", ":host"} & set(rule.selectors)
        for name, value in rule.declarations
        if name.startswith("--")
    ]
    assert [
        (name, value) for name, value in on_wrapper if value in ("inherit", "unset", "revert", "revert-layer")
    ] == []
    read: dict[str, str] = {}  # each property read, and the first rule that reads it
    for rule in rules:
        for _name, value in rule.declarations:
            for name in re.findall(r"var\(\s*(--[\w-]+)", value):
                read.setdefault(name, ", ".join(rule.selectors))
    assert {"--reader-gutter", "--reader-specimen", "--reader-bg", "--reader-tool-icon"} <= set(read)
    missing = {name: read[name] for name in sorted(set(read) - {name for name, _value in on_wrapper})}
    assert missing == {}, f"read but not set on .reader (or :host): {missing}"
