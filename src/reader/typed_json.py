"""JSON shapes written once, as Python types: their JSON Schema, and a check of decoded JSON against them.

The types are TypedDicts (closed objects: unknown keys are refused, ``NotRequired`` keys may be left out),
dataclasses whose fields all have defaults (objects of optional settings), ``str``, ``int``, ``float``,
``bool``, ``None``, ``list[T]``, ``dict[str, T]``, ``Literal[...]`` and unions of them; ``Annotated[T,
Rules(...)]`` adds JSON Schema keywords, which the check applies exactly as a JSON Schema validator would.
Unions of objects become ``oneOf`` (exactly one alternative must match), other unions ``anyOf``.

Patterns are ECMA-262 regular expressions, searched (not anchored) as JSON Schema says; so that Python's
``re`` reads them the same way, they may not use the shorthand classes (``\\d \\w \\s \\b``, whose
meanings differ) and use ``$`` only as their last character.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any, Generic, Literal, NotRequired, Required, TypeVar, Union, get_args, get_origin
from typing import get_type_hints as _type_hints

from reader.dates import is_rfc3339

JsonSchema = dict[str, Any]
T = TypeVar("T")

_SHORTHANDS = re.compile(r"\\[dDwWsSbB]")
_FORMAT_EXPLAINED = {
    "date": "must be a date such as 2026-11-01",
    "date-time": "must be a date and time with an offset, such as 2026-11-01T09:30:00+07:00",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Rules:
    """JSON Schema keywords for ``Annotated[T, Rules(...)]``; ``explain`` says in words what ``pattern``
    asks for (the error message), ``description`` what the value is (the schema's documentation)."""

    description: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    explain: str | None = None
    format: Literal["date", "date-time"] | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: int | str | None = None
    # Values that fit (JSON Schema's `examples`): for the reader, and for tools that make requests from
    # the description and cannot make a value of every pattern themselves.
    examples: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.pattern is not None:
            if _SHORTHANDS.search(self.pattern) or "$" in self.pattern[:-1]:
                raise ValueError(f"pattern {self.pattern!r}: no \\d \\w \\s \\b, and $ only at the end")
            if self.explain is None:
                raise ValueError(f"pattern {self.pattern!r} needs an explanation for its error message")
        for example in self.examples or ():
            if self.pattern is not None and not _compile(self.pattern).match(example):
                raise ValueError(f"example {example!r} does not match {self.pattern!r}")

    def keywords(self) -> JsonSchema:
        names = {"min_length": "minLength", "max_length": "maxLength"}
        keywords = {
            names.get(field.name, field.name): getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name != "explain" and getattr(self, field.name) is not None
        }
        if self.examples is not None:
            keywords["examples"] = list(self.examples)
        if self.explain:  # what a pattern asks for, said in words for the reader of the description
            said = f"{self.explain[0].upper()}{self.explain[1:]}."
            keywords["description"] = f"{self.description}. {said}" if self.description else said
        return keywords

    @property
    def compiled(self) -> re.Pattern[str] | None:
        return None if self.pattern is None else _compile(self.pattern)


@functools.cache
def _compile(pattern: str) -> re.Pattern[str]:
    # ECMA-262's $ (without the m flag) matches only at the very end; Python's also before a final \n.
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """Why a value does not fit its type: the path to the part at fault (keys and list indexes) and what
    is wrong with it."""

    path: tuple[str | int, ...]
    message: str

    @property
    def field(self) -> str | None:
        """The path in dotted form ("thresholds.section_words"), None for the value as a whole."""
        return ".".join(str(part) for part in self.path) or None


class Invalid(ValueError):
    """A value that does not fit its type; ``problem`` is the first thing wrong with it."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.field}: {problem.message}" if problem.field else problem.message)
        self.problem = problem


# -- reading types -----------------------------------------------------------------------------------


def _unwrap(tp: object) -> tuple[object, Rules | None]:
    """The type without Annotated, Required and NotRequired, and its Rules."""
    rules = None
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            found = [meta for meta in getattr(tp, "__metadata__", ()) if isinstance(meta, Rules)]
            rules = found[0] if found else rules
            tp = get_args(tp)[0]
        elif origin in (Required, NotRequired):
            tp = get_args(tp)[0]
        else:
            return tp, rules


def _is_object_type(tp: object) -> bool:
    return isinstance(tp, type) and (_is_typeddict(tp) or dataclasses.is_dataclass(tp))


def _is_typeddict(tp: type) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def _alternatives(tp: object) -> tuple[object, ...] | None:
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class _Key:
    name: str
    tp: object
    required: bool


def _keys(tp: type) -> list[_Key]:
    """The keys of a TypedDict or dataclass, in declaration order (base classes first)."""
    hints = _type_hints(tp, include_extras=True)
    if dataclasses.is_dataclass(tp):
        fields = dataclasses.fields(tp)
        missing = [f.name for f in fields if dataclasses.MISSING is f.default is f.default_factory]
        if missing:
            raise TypeError(f"{tp.__name__}: every field needs a default to be read from JSON ({missing})")
        return [_Key(f.name, hints[f.name], False) for f in fields]
    # Not __required_keys__: with postponed annotations Python 3.11 does not see NotRequired there.
    return [_Key(name, hint, get_origin(hint) is not NotRequired) for name, hint in hints.items()]


# -- JSON Schema -------------------------------------------------------------------------------------


class SchemaBuilder:
    """JSON Schemas of types; object types become named components, referred to by ``$ref``."""

    def __init__(self, ref_prefix: str = "#/components/schemas/") -> None:
        self.ref_prefix = ref_prefix
        self.components: dict[str, JsonSchema] = {}
        self._named: dict[str, type] = {}

    def schema(self, tp: object) -> JsonSchema:
        bare, rules = _unwrap(tp)
        schema = self._bare(bare)
        if rules is not None:
            extra = rules.keywords()
            if "$ref" in schema:
                schema = {"allOf": [schema], **extra} if set(extra) - {"description"} else {**schema, **extra}
            else:
                schema.update(extra)
        return schema

    def _bare(self, tp: object) -> JsonSchema:
        if tp is Any:
            return {}
        simple = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null", None: "null"}
        if isinstance(tp, type) or tp is None:
            if tp in simple:
                return {"type": simple[tp]}
            if _is_object_type(tp):
                assert isinstance(tp, type)
                return self._component(tp)
        origin, args = get_origin(tp), get_args(tp)
        if origin is Literal:
            kinds = {simple[type(arg)] for arg in args}
            return {"type": kinds.pop() if len(kinds) == 1 else sorted(kinds), "enum": list(args)}
        if origin is list:
            return {"type": "array", "items": self.schema(args[0])}
        if origin is dict and args[0] is str:
            return {"type": "object", "additionalProperties": self.schema(args[1])}
        alternatives = _alternatives(tp)
        if alternatives is not None:
            return self._union(alternatives)
        raise TypeError(f"no JSON Schema for {tp!r}")

    def _union(self, alternatives: Sequence[object]) -> JsonSchema:
        schemas = [self.schema(alternative) for alternative in alternatives]
        plain = [schema for schema in schemas if set(schema) == {"type"} and isinstance(schema["type"], str)]
        if len(plain) == len(schemas):
            return {"type": [schema["type"] for schema in schemas]}
        nulls = [schema for schema in schemas if schema == {"type": "null"}]
        others = [schema for schema in schemas if schema != {"type": "null"}]
        if len(others) == 1 and isinstance(others[0].get("type"), str) and nulls:
            # T | None with T's keywords: ``"type": ["string", "null"]`` (string keywords skip null).
            return {**others[0], "type": [others[0]["type"], "null"]}
        objects = all(_is_object_type(_unwrap(alternative)[0]) for alternative in alternatives)
        return {"oneOf" if objects else "anyOf": schemas}

    def _component(self, tp: type) -> JsonSchema:
        name = tp.__name__
        ref = {"$ref": self.ref_prefix + name}
        if name in self._named:
            if self._named[name] is not tp:
                raise TypeError(f"two types are named {name}: {self._named[name]!r} and {tp!r}")
            return ref
        self._named[name] = tp
        self.components[name] = {}  # reserved first: a type may refer to itself
        keys = _keys(tp)
        schema: JsonSchema = {"type": "object"}
        if tp.__doc__ and not tp.__doc__.startswith(f"{name}("):  # dataclasses' generated docstring
            schema["description"] = " ".join(tp.__doc__.split())
        schema["properties"] = {key.name: self.schema(key.tp) for key in keys}
        required = [key.name for key in keys if key.required]
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        self.components[name] = schema
        return ref


def components_of(types_: Sequence[object]) -> dict[str, JsonSchema]:
    """The named schemas the given types use (for a check or for documentation)."""
    builder = SchemaBuilder()
    for tp in types_:
        builder.schema(tp)
    return builder.components


# -- checking values ---------------------------------------------------------------------------------


def problems(tp: object, value: object, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Everything wrong with a decoded JSON value for a type; empty when it fits."""
    bare, rules = _unwrap(tp)
    found = list(_bare_problems(bare, value, path))
    if not found and rules is not None:
        found.extend(_rule_problems(rules, value, path))
    if found and rules is not None and rules.explain and _alternatives(bare) is not None:
        return [Problem(path, rules.explain)]
    return found


def _bare_problems(tp: object, value: object, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if tp is Any:
        return
    if tp is None or tp is type(None):
        if value is not None:
            yield Problem(path, f"must be null, not {_kind(value)}")
        return
    if isinstance(tp, type) and _is_object_type(tp):
        yield from _object_problems(tp, value, path)
        return
    checks: dict[object, tuple[Callable[[object], bool], str]] = {
        str: (lambda v: isinstance(v, str), "text"),
        int: (_is_integer, "a whole number"),
        float: (lambda v: _is_number(v) and not (isinstance(v, float) and not math.isfinite(v)), "a number"),
        bool: (lambda v: isinstance(v, bool), "true or false"),
    }
    if tp in checks:
        fits, name = checks[tp]
        if not fits(value):
            yield Problem(path, f"must be {name}, not {_kind(value)}")
        return
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        # 1 == True in Python; JSON tells them apart.
        if not any(value == arg and type(value) is type(arg) for arg in args):
            yield Problem(path, f"must be {' or '.join(_literal(arg) for arg in args)}")
    elif origin is list:
        if not isinstance(value, list):
            yield Problem(path, f"must be a list, not {_kind(value)}")
            return
        for index, item in enumerate(value):
            yield from problems(args[0], item, (*path, index))
    elif origin is dict:
        if not isinstance(value, dict):
            yield Problem(path, f"must be an object, not {_kind(value)}")
            return
        for key, item in value.items():
            yield from problems(args[1], item, (*path, key))
    elif (alternatives := _alternatives(tp)) is not None:
        yield from _union_problems(alternatives, value, path)
    else:
        raise TypeError(f"cannot check {tp!r}")


def _object_problems(tp: type, value: object, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem(path, f"must be an object, not {_kind(value)}")
        return
    keys = _keys(tp)
    for key in keys:
        if key.name in value:
            yield from problems(key.tp, value[key.name], (*path, key.name))
        elif key.required:
            yield Problem((*path, key.name), "is required")
    known = {key.name for key in keys}
    for name in value:
        if name not in known:
            yield Problem((*path, str(name)), f"unknown field (known fields: {', '.join(sorted(known))})")


def _union_problems(alternatives: Sequence[object], value: object, path: tuple[str | int, ...]) -> Iterator[Problem]:
    found = [problems(alternative, value, path) for alternative in alternatives]
    fitting = [alternative for alternative, wrong in zip(alternatives, found, strict=True) if not wrong]
    objects = all(_is_object_type(_unwrap(alternative)[0]) for alternative in alternatives)
    if objects and len(fitting) > 1:
        yield Problem(path, "fits more than one of the allowed shapes")
    if fitting:
        return
    fewest = min(len(wrong) for wrong in found)
    closest = [index for index, wrong in enumerate(found) if len(wrong) == fewest]
    if len(closest) == 1 or all(found[index] == found[closest[0]] for index in closest):
        yield from found[closest[0]]
        return
    # Object alternatives told apart by their own required keys (text or html): say which to give.
    markers = [_own_required_key(alternatives, index) for index in closest] if objects else []
    if markers and all(markers):
        names = [str(marker) for marker in markers]
        yield Problem((*path, names[0]), f"give exactly one of {', '.join(names[:-1])} and {names[-1]}")
        return
    yield found[closest[0]][0]


def _own_required_key(alternatives: Sequence[object], index: int) -> str | None:
    def required(tp: object) -> set[str]:
        bare = _unwrap(tp)[0]
        assert isinstance(bare, type)
        return {key.name for key in _keys(bare) if key.required}

    own = required(alternatives[index]).difference(
        *(required(other) for position, other in enumerate(alternatives) if position != index)
    )
    return sorted(own)[0] if own else None


def _rule_problems(rules: Rules, value: object, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if isinstance(value, str):
        if rules.min_length is not None and len(value) < rules.min_length:
            yield Problem(path, "must not be empty" if rules.min_length == 1 else f"is shorter than {rules.min_length}")
        if rules.max_length is not None and len(value) > rules.max_length:
            yield Problem(path, f"is longer than {rules.max_length} characters")
        compiled = rules.compiled
        if compiled is not None and not compiled.search(value):
            yield Problem(path, rules.explain or f"does not match {rules.pattern}")
        if rules.format is not None and not is_rfc3339(value, rules.format):
            yield Problem(path, rules.explain or _FORMAT_EXPLAINED[rules.format])
    if _is_number(value):
        assert isinstance(value, int | float)
        low, high = rules.minimum, rules.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                yield Problem(path, f"must be from {low} to {high}")
            else:
                yield Problem(path, f"must be at least {low}" if low is not None else f"must be at most {high}")


def _literal(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _is_integer(value: object) -> bool:
    # JSON Schema: "a number with a zero fractional part" is an integer, 3.0 as much as 3.
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


class JsonType(Generic[T]):
    """A type that JSON is read as: ``ARTICLE: JsonType[Article] = JsonType(Article)``, then
    ``ARTICLE.parse(value)`` returns the value typed, or raises Invalid naming the first problem."""

    def __init__(self, tp: object) -> None:
        self.tp = tp

    def parse(self, value: object) -> T:
        found = problems(self.tp, value)
        if found:
            raise Invalid(found[0])
        return _build(self.tp, value)  # type: ignore[no-any-return]  # checked above: it has T's shape


def _build(tp: object, value: Any) -> Any:
    """A checked value with its dataclass parts made dataclasses (TypedDicts are dicts already)."""
    bare = _unwrap(tp)[0]
    if isinstance(bare, type) and dataclasses.is_dataclass(bare):
        hints = {key.name: key.tp for key in _keys(bare)}
        return bare(**{name: _build(hints[name], item) for name, item in value.items()})
    if isinstance(bare, type) and _is_typeddict(bare):
        hints = {key.name: key.tp for key in _keys(bare)}
        return {name: _build(hints[name], item) for name, item in value.items()}
    if bare is int:
        return int(value)
    origin, args = get_origin(bare), get_args(bare)
    if origin is list:
        return [_build(args[0], item) for item in value]
    if origin is dict:
        return {name: _build(args[1], item) for name, item in value.items()}
    alternatives = _alternatives(bare)
    if alternatives is not None:
        fitting = next(alternative for alternative in alternatives if not problems(alternative, value))
        return _build(fitting, value)
    return value


class QueryType(Generic[T]):
    """The query parameters of an operation, described by a TypedDict of str, int and Literal values:
    each parameter given at most once, numbers in ASCII digits, unknown parameters ignored."""

    def __init__(self, tp: type[T]) -> None:
        assert _is_typeddict(tp), "query parameters are described by a TypedDict"
        self.tp = tp

    def keys(self) -> list[_Key]:
        return _keys(self.tp)

    def parse(self, items: Sequence[tuple[str, str]]) -> T:
        values: dict[str, object] = {}
        for key in self.keys():
            given = [value for name, value in items if name == key.name]
            if len(given) > 1:
                raise Invalid(Problem((key.name,), "must be given once"))
            if given:
                values[key.name] = _query_value(_unwrap(key.tp)[0], given[0])
        result: T = JsonType[T](self.tp).parse(values)
        return result


_INTEGER = re.compile(r"-?[0-9]{1,4000}")  # Python refuses to convert more than 4300 digits


def _query_value(tp: object, text: str) -> object:
    if tp is int:
        # int() would also take " 7", "+7", "7_0" and other scripts' digits, which a schema's integer is not.
        return int(text) if _INTEGER.fullmatch(text) else text
    return text
