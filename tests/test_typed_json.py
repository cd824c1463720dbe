from __future__ import annotations

import dataclasses
from typing import Annotated, Literal, NotRequired, TypedDict

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.typed_json import Invalid, JsonType, QueryType, Rules, SchemaBuilder, problems

Name = Annotated[str, Rules(max_length=5, pattern="^[a-z]+$", explain="must be lower-case letters")]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Optional limits."""

    low: Annotated[int, Rules(minimum=1, maximum=10)] = 1
    high: int = 9


class Shared(TypedDict):
    name: Name
    note: NotRequired[str | None]
    limits: NotRequired[Limits]


class WithText(Shared):
    """Text."""

    text: str


class WithHtml(Shared):
    html: str
    kind: NotRequired[Literal["a", "b"]]


Either = WithText | WithHtml
EITHER: JsonType[WithText | WithHtml] = JsonType(Either)


def schema_of(tp: object) -> dict[str, object]:
    builder = SchemaBuilder(ref_prefix="#/$defs/")
    return {**builder.schema(tp), "$defs": builder.components}


def test_the_schema_of_typed_dicts_dataclasses_and_unions() -> None:
    builder = SchemaBuilder()
    assert builder.schema(Either) == {
        "oneOf": [{"$ref": "#/components/schemas/WithText"}, {"$ref": "#/components/schemas/WithHtml"}]
    }
    assert builder.components["WithText"] == {
        "type": "object",
        "description": "Text.",
        "properties": {
            "name": {
                "type": "string",
                "description": "Must be lower-case letters.",
                "maxLength": 5,
                "pattern": "^[a-z]+$",
            },
            "note": {"type": ["string", "null"]},
            "limits": {"$ref": "#/components/schemas/Limits"},
            "text": {"type": "string"},
        },
        "required": ["name", "text"],  # NotRequired seen even with postponed annotations (3.11)
        "additionalProperties": False,
    }
    assert builder.components["Limits"]["properties"] == {
        "low": {"type": "integer", "minimum": 1, "maximum": 10},
        "high": {"type": "integer"},
    }
    assert "required" not in builder.components["Limits"]
    assert builder.components["WithHtml"]["properties"]["kind"] == {"type": "string", "enum": ["a", "b"]}


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ({"name": "ab"}, "text", "give exactly one of text and html"),
        ({"name": "ab", "text": "x", "html": "y"}, "text", "give exactly one of text and html"),
        ({"text": "x"}, "name", "is required"),
        ({"name": "AB", "text": "x"}, "name", "must be lower-case letters"),
        ({"name": "abcdef", "text": "x"}, "name", "is longer than 5 characters"),
        ({"name": "ab\n", "text": "x"}, "name", "must be lower-case letters"),  # $ is the end, not before \n
        ({"name": "ab", "text": 3}, "text", "must be text, not a number"),
        ({"name": "ab", "html": "x", "kind": "c"}, "kind", "must be a or b"),
        ({"name": "ab", "text": "x", "limits": {"low": 0}}, "limits.low", "must be from 1 to 10"),
        ({"name": "ab", "text": "x", "limits": {"low": True}}, "limits.low", "must be a whole number, not true/false"),
        ({"name": "ab", "text": "x", "limits": {"lo": 2}}, "limits.lo", "unknown field (known fields: high, low)"),
        ([], None, "must be an object, not a list"),
    ],
)
def test_problems_name_the_field(value: object, field: str | None, message: str) -> None:
    with pytest.raises(Invalid) as info:
        EITHER.parse(value)
    assert (info.value.problem.field, info.value.problem.message) == (field, message)


def test_parse_returns_the_value_with_dataclasses_built() -> None:
    parsed = EITHER.parse({"name": "ab", "text": "x", "note": None, "limits": {"low": 2.0}})
    assert parsed == {"name": "ab", "text": "x", "note": None, "limits": Limits(low=2)}
    assert type(parsed.get("limits", Limits()).low) is int  # 2.0 is an integer in JSON Schema, and becomes one


class Query(TypedDict):
    page: NotRequired[Annotated[int, Rules(minimum=1)]]
    lang: NotRequired[Literal["vi", "en"]]


@pytest.mark.parametrize(
    ("items", "result"),
    [
        ([], {}),
        ([("page", "3"), ("other", "x")], {"page": 3}),
        ([("page", "0")], "page: must be at least 1"),
        ([("page", "٣")], "page: must be a whole number, not text"),  # int() reads other scripts' digits
        ([("page", " 3")], "page: must be a whole number, not text"),
        ([("page", "1"), ("page", "2")], "page: must be given once"),
        ([("lang", "fr")], "lang: must be vi or en"),
    ],
)
def test_query_parameters(items: list[tuple[str, str]], result: object) -> None:
    if isinstance(result, str):
        with pytest.raises(Invalid, match=f"^{result}$"):
            QueryType(Query).parse(items)
    else:
        assert QueryType(Query).parse(items) == result


def test_a_pattern_must_be_read_alike_by_ecma_and_python() -> None:
    with pytest.raises(ValueError, match="no"):
        Rules(pattern=r"^\d+$", explain="digits")
    with pytest.raises(ValueError, match="explanation"):
        Rules(pattern="^[a-z]+$")


def test_examples_fit_the_pattern_and_are_described() -> None:
    with pytest.raises(ValueError, match="example 'A1'"):
        Rules(pattern="^[a-z]+$", explain="letters", examples=("ab", "A1"))
    assert Rules(pattern="^[a-z]+$", explain="letters", examples=("ab",)).keywords()["examples"] == ["ab"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-20, 20) | st.floats(allow_nan=False) | st.text(max_size=7),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)
near_misses = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["ab", "", "AB", "abcdef", "ab\n"]) | json_values,
        "text": st.text(max_size=3) | json_values,
        "html": st.text(max_size=3) | json_values,
        "note": st.none() | st.text(max_size=3) | json_values,
        "kind": st.sampled_from(["a", "b", "c"]),
        "limits": st.fixed_dictionaries(
            {}, optional={"low": st.integers(-1, 11) | st.floats(0, 11), "high": json_values, "x": st.just(1)}
        ),
    },
)


@settings(max_examples=400, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=near_misses | json_values)
def test_the_check_agrees_with_a_json_schema_validator(value: object) -> None:
    # The check and the derived schema must accept exactly the same values: jsonschema_rs (what
    # Schemathesis validates with) judges the schema, the check judges the type.
    validator = jsonschema_rs.validator_for(schema_of(Either), validate_formats=True)
    assert validator.is_valid(value) == (not problems(Either, value)), value


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-11-01", True),
        ("2026-02-30", False),
        ("2026-11-01T09:30:00+07:00", True),
        ("2026-11-01t09:30:00.5z", True),
        ("2026-11-01T09:30:00", False),  # RFC 3339 needs the offset
        ("2026-11-01T24:00:00Z", False),
        ("20261101", False),
    ],
)
def test_date_formats_agree_with_a_json_schema_validator(value: str, valid: bool) -> None:
    tp = Annotated[str, Rules(format="date")] | Annotated[str, Rules(format="date-time")]
    validator = jsonschema_rs.validator_for(schema_of(tp), validate_formats=True)
    assert validator.is_valid(value) == valid == (not problems(tp, value))
