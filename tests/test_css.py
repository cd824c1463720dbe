from __future__ import annotations

import pytest

from reader.css import CalcError, declarations_for, evaluate, parse_rules

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
