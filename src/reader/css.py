"""Just enough CSS to read reader.css from Python: rules with their @media context, custom properties, calc().

Not a general CSS parser: no strings holding braces or semicolons, no nesting beyond at-rule blocks;
reader.css has neither.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_BRACE = re.compile(r"[{}]")
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.?\d*|\.\d+)(?P<unit>[a-z%]*)|(?P<name>--[\w-]+|[a-z][a-z-]*)|(?P<op>[-+*/(),]))"
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One style rule: its selectors, its declarations in order, and the at-rules it sits in."""

    selectors: tuple[str, ...]
    declarations: tuple[tuple[str, str], ...]
    at_rules: tuple[str, ...] = ()


def parse_rules(css: str) -> list[Rule]:
    """The style rules of a stylesheet, in source order."""
    css = _COMMENT.sub("", css)
    rules: list[Rule] = []
    preludes: list[str] = []
    position = 0
    for brace in _BRACE.finditer(css):
        chunk = css[position : brace.start()]
        position = brace.end()
        if brace.group(0) == "{":
            preludes.append(" ".join(chunk.rsplit(";", 1)[-1].split()))
            continue
        if not preludes:
            continue  # a stray "}"
        prelude = preludes.pop()
        if prelude.startswith("@"):
            continue
        declarations = []
        for declaration in chunk.split(";"):
            name, colon, value = declaration.partition(":")
            if colon and name.strip():
                declarations.append((name.strip(), " ".join(value.split())))
        selectors = tuple(" ".join(selector.split()) for selector in prelude.split(","))
        rules.append(Rule(selectors, tuple(declarations), tuple(p for p in preludes if p.startswith("@"))))
    return rules


def declarations_for(rules: list[Rule], selectors: tuple[str, ...], at_rule: str | None = None) -> dict[str, str]:
    """Top-level declarations for the selectors (later selectors win), then those inside a matching at-rule."""
    # Within one selector source order decides, as in the cascade for equal specificity; callers list
    # selectors from least to most specific. @media print and the like are left out unless asked for.
    values: dict[str, str] = {}
    for selector in selectors:
        for rule in rules:
            if selector in rule.selectors and not rule.at_rules:
                values.update(rule.declarations)
    if at_rule:
        for selector in selectors:
            for rule in rules:
                if selector in rule.selectors and any(at_rule in prelude for prelude in rule.at_rules):
                    values.update(rule.declarations)
    return values


class CalcError(ValueError):
    """A CSS value this evaluator cannot compute."""


def evaluate(value: str, variables: Mapping[str, str], units: Mapping[str, float]) -> float:
    """A CSS length or number (calc(), var() with fallback, min(), max()) in px, given px per unit."""
    return _Evaluator(variables, units).run(value)


class _Evaluator:
    def __init__(self, variables: Mapping[str, str], units: Mapping[str, float], depth: int = 0) -> None:
        self.variables = variables
        self.units = units
        self.depth = depth
        self.tokens: list[tuple[str, str]] = []
        self.index = 0

    def run(self, value: str) -> float:
        if self.depth > 20:
            raise CalcError("var() nests too deeply")
        self.tokens = _tokenize(value)
        self.index = 0
        result = self.sum()
        if self.index != len(self.tokens):
            raise CalcError(f"unexpected {self.tokens[self.index][1]!r} in {value!r}")
        return result

    def peek(self) -> str:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens) or (expected is not None and self.tokens[self.index][1] != expected):
            raise CalcError(f"expected {expected or 'a value'}")
        self.index += 1
        return self.tokens[self.index - 1]

    def sum(self) -> float:
        result = self.product()
        while self.peek() in ("+", "-"):
            sign = self.take()[1]
            operand = self.product()
            result = result + operand if sign == "+" else result - operand
        return result

    def product(self) -> float:
        result = self.factor()
        while self.peek() in ("*", "/"):
            operator = self.take()[1]
            operand = self.factor()
            result = result * operand if operator == "*" else result / operand
        return result

    def factor(self) -> float:
        kind, text = self.take()
        if text == "-":
            return -self.factor()
        if text == "(":
            result = self.sum()
            self.take(")")
            return result
        if kind == "number":
            number, unit = text.split(" ")
            if unit and unit not in self.units:
                raise CalcError(f"unsupported unit {unit!r}")
            return float(number) * (self.units[unit] if unit else 1.0)
        if text in ("calc", "min", "max"):
            self.take("(")
            arguments = [self.sum()]
            while self.peek() == ",":
                self.take(",")
                arguments.append(self.sum())
            self.take(")")
            return min(arguments) if text == "min" else max(arguments) if text == "max" else arguments[0]
        if text == "var":
            return self.variable()
        raise CalcError(f"unexpected {text!r}")

    def variable(self) -> float:
        self.take("(")
        kind, name = self.take()
        if kind != "name" or not name.startswith("--"):
            raise CalcError("var() needs a custom property name")
        fallback: float | None = None
        if self.peek() == ",":
            self.take(",")
            fallback = self.sum()
        self.take(")")
        if name in self.variables:
            return _Evaluator(self.variables, self.units, self.depth + 1).run(self.variables[name])
        if fallback is None:
            raise CalcError(f"{name} is not set and has no fallback")
        return fallback


def _tokenize(value: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    value = value.strip()
    while position < len(value):
        match = _TOKEN.match(value, position)
        if not match or match.end() == position:
            raise CalcError(f"cannot read {value[position:]!r}")
        position = match.end()
        if match.group("number") is not None:
            tokens.append(("number", f"{match.group('number')} {match.group('unit')}"))
        elif match.group("name") is not None:
            tokens.append(("name", match.group("name")))
        else:
            tokens.append(("op", match.group("op")))
    return tokens
