"""Building blocks shared by every entity's schemas.

Request bodies are strict: JSON ``false`` or ``"12"`` is never coerced to a number. Values
that JSON can only carry as strings (dates, times, UUIDs, decimals) are parsed from strings,
and only from strings.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

INT32_MIN = -(2**31)
"""Smallest value an INTEGER column holds on every supported database."""

INT32_MAX = 2**31 - 1
"""Largest value an INTEGER column holds on every supported database."""

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound=BaseModel)


def _only_text(value: object) -> object:
    """Refuse JSON numbers and booleans for values that travel as strings."""
    if isinstance(value, bool | int | float):
        raise ValueError("Input should be a string")
    return value


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


JsonDate = Annotated[dt.date, Field(strict=False), BeforeValidator(_only_text)]
"""A calendar date, sent as ``YYYY-MM-DD``."""

JsonDateTime = Annotated[
    dt.datetime, Field(strict=False), BeforeValidator(_only_text), AfterValidator(_to_utc)
]
"""A point in time, sent in ISO 8601; normalised to UTC."""

JsonUUID = Annotated[UUID, Field(strict=False), BeforeValidator(_only_text)]
"""A UUID, sent in its canonical text form."""

Money = Annotated[Decimal, Field(strict=False, max_digits=12, decimal_places=2)]
"""A fixed-point amount (12 digits, 2 after the point), sent as a string or a number."""

DbInt = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]
"""An integer that fits an INTEGER column."""

RecordId = Annotated[int, Field(ge=1, le=INT32_MAX)]
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


class ErrorMessage(BaseModel):
    """Body of an error response."""

    detail: str
