"""Building blocks shared by every entity's schemas.

Request bodies are strict: JSON ``false`` or ``"12"`` is never coerced to a number. Values
that JSON can only carry as strings (dates, times, UUIDs) are parsed from strings in their
published format, and only from such strings. Decimals are JSON numbers with at most two
places (``multipleOf: 0.01``); an integer may be spelled ``1.0``, as JSON Schema allows.
Every constraint is published in the OpenAPI document with a standard JSON Schema keyword.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

import email_validator
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
)
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import CoreSchema

INT32_MIN = -(2**31)
"""Smallest value an INTEGER column holds on every supported database."""

INT32_MAX = 2**31 - 1
"""Largest value an INTEGER column holds on every supported database."""

MONEY_LIMIT = Decimal("9999999999.99")
"""Largest amount a ``Numeric(12, 2)`` column holds (its negative is the smallest)."""

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound=BaseModel)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _text_like(pattern: re.Pattern[str], kind: str) -> Callable[[object], object]:
    """Return a validator refusing numbers, and text not in the published ``format`` of ``kind``.

    Values that are already dates, times or UUIDs (read from the database) pass through.
    """

    def check(value: object) -> object:
        if isinstance(value, bool | int | float):
            raise ValueError("Input should be a string")
        if isinstance(value, str) and pattern.fullmatch(value) is None:
            raise ValueError(f"Input should be a valid {kind} (RFC 3339 / RFC 4122 text)")
        return value

    return check


def _whole_number(value: object) -> object:
    """Take ``1.0`` as the integer 1, as JSON Schema's ``integer`` does; booleans stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _only_number(value: object) -> object:
    """Refuse strings and booleans for a decimal: the contract publishes it as a JSON number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("Input should be a number")
    return value


def _as_float(value: Decimal) -> float:
    """Write a decimal as a JSON number (12 digits fit a double exactly)."""
    return float(value)


class _PublishedAsNumber:
    """Publish a decimal as a JSON number in cents (``multipleOf: 0.01``) within its column."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = dict(handler.resolve_ref_schema(handler(core_schema)))
        for branch in schema.pop("anyOf", []):
            if branch.get("type") == "number":
                schema.update(branch)
        schema["type"] = "number"
        schema.pop("pattern", None)
        schema["multipleOf"] = 0.01
        schema.setdefault("minimum", -float(MONEY_LIMIT))
        schema.setdefault("maximum", float(MONEY_LIMIT))
        return schema


def _to_utc(value: dt.datetime) -> dt.datetime:
    """Store and return every timestamp in UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _forbid_null(value: object) -> object:
    """Refuse an explicit ``null`` for a field that may only be left out."""
    if value is None:
        raise ValueError("Field may be omitted but not null")
    return value


JsonDate = Annotated[
    dt.date, Field(strict=False), BeforeValidator(_text_like(_DATE, "date (YYYY-MM-DD)"))
]
"""A calendar date, sent as ``YYYY-MM-DD``."""

JsonDateTime = Annotated[
    dt.datetime,
    Field(strict=False),
    BeforeValidator(_text_like(_DATE_TIME, "date-time with an offset")),
    AfterValidator(_to_utc),
]
"""A point in time, sent in RFC 3339 with its offset; normalised to UTC."""

JsonUUID = Annotated[UUID, Field(strict=False), BeforeValidator(_text_like(_UUID, "UUID"))]
"""A UUID, sent in its canonical text form."""


def _email(value: str) -> str:
    """Check an address as :class:`pydantic.EmailStr` does, returning its normalised form."""
    try:
        return email_validator.validate_email(value, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as error:
        raise ValueError(f"value is not a valid email address: {error}") from error


def _any_case(word: str) -> str:
    """Spell ``word`` as a case-blind ECMA-262 pattern (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


_REFUSED_EMAIL = "|".join(
    [
        '^"',  # a quoted local part
        r"@\[",  # an IP literal instead of a domain
        r"@[^.@]*$",  # a domain without a dot
        r"[^A-Za-z]$",  # a top-level domain not ending in a letter
        "[@.](" + "|".join(_any_case(d) for d in email_validator.SPECIAL_USE_DOMAIN_NAMES) + ")$",
    ]
)
"""Addresses of ``format: email`` that the validator refuses, published under ``not``."""


class _PublishedAsEmail:
    """Publish an address as ``format: email`` minus what the validator refuses."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = dict(handler.resolve_ref_schema(handler(core_schema)))
        schema["format"] = "email"
        schema["not"] = {"pattern": _REFUSED_EMAIL}
        return schema


EmailOf = Annotated[T, AfterValidator(_email), _PublishedAsEmail()]
"""A ``str`` type (its length bounds first) as an e-mail address, normalised.

Special-use domains (``.test``, ``.invalid``, ``.localhost``...), quoted local parts and IP
literals are refused, and the schema says so.
"""

Email = EmailOf[str]
"""An e-mail address, normalised."""

Whole = Annotated[T, BeforeValidator(_whole_number)]
"""An integer type (constraints first), also taken when spelled as a whole number like ``1.0``."""

JsonInt = Whole[int]
"""An integer, also taken when spelled as a whole JSON number such as ``1.0``."""

MoneyOf = Annotated[
    T,
    Field(strict=False, max_digits=12, decimal_places=2),
    BeforeValidator(_only_number),
    PlainSerializer(_as_float, return_type=float, when_used="json"),
    _PublishedAsNumber(),
]
"""A ``Decimal`` type (its bounds first) as an amount: a JSON number in cents, both ways.

Twelve digits, two of them after the point, bound it to +/- :data:`MONEY_LIMIT`, which the
published schema states as its default ``minimum`` and ``maximum``.
"""

Money = MoneyOf[Decimal]
"""A fixed-point amount (12 digits, 2 after the point), sent and returned as a JSON number."""

MoneyQuery = Annotated[
    Decimal,
    Field(strict=False, max_digits=12, decimal_places=2),
    _PublishedAsNumber(),
]
"""A fixed-point amount in a query string (the text of a number)."""

DbInt = Whole[Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]]
"""An integer that fits an INTEGER column."""

RecordId = Whole[Annotated[int, Field(ge=1, le=INT32_MAX)]]
"""The id of a stored record."""

Lax = Annotated[T, Field(strict=False)]
"""A value parsed leniently, e.g. an enum member from its JSON string."""

Omittable = Annotated[T | SkipJsonSchema[None], BeforeValidator(_forbid_null)]
"""A field of a partial update that may be left out, but not set to null."""


class RequestModel(BaseModel):
    """Base of request bodies: strict types, unknown fields rejected."""

    model_config = ConfigDict(strict=True, extra="forbid")


class RecordPublic(BaseModel):
    """Fields every stored record returns."""

    id: int
    created_at: JsonDateTime
    updated_at: JsonDateTime


class Page(BaseModel, Generic[ItemT]):
    """One page of a collection."""

    items: list[ItemT]
    total: int = Field(description="Number of records matching the filters.")
    limit: int = Field(description="Largest number of items on this page.")
    offset: int = Field(description="Number of matching records skipped before this page.")


class Problem(BaseModel):
    """An error, as RFC 9457 ``application/problem+json``."""

    type: str = Field(
        default="about:blank", description="URI of the problem type; about:blank: see status."
    )
    title: str = Field(description="Short summary of the problem type (the HTTP reason).")
    status: int = Field(description="HTTP status code of the response.")
    detail: str = Field(description="What went wrong with this request, for people.")
    instance: str = Field(description="Path of the request that failed.")


class FieldError(BaseModel):
    """One invalid part of a request."""

    type: str = Field(description="Machine-readable kind of the error, e.g. ``missing``.")
    loc: list[str | int] = Field(description="Where: ``body``/``query``/``path``, then keys.")
    msg: str = Field(description="What is wrong, for people.")


class ValidationProblem(Problem):
    """A 422 problem: the request broke the published contract; ``errors`` says where."""

    errors: list[FieldError] = Field(description="Each invalid part of the request.")
