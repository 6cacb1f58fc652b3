"""JSON types held as the published contract states them, as the FastAPI renderer's are.

pydantic's lax mode (which django-ninja's schemas use) takes ``false`` or ``"12"`` for an
integer and ``0`` or ``"0.5"`` for a date-time (a Unix time). The contract publishes an
integer as a JSON integer (a whole number such as ``1.0`` too, as JSON Schema allows), a
boolean as a JSON boolean, and dates, times and UUIDs as text in their published format:
:func:`check_values` refuses anything else before pydantic reads the values.
"""

import datetime
import re
import types
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Union, get_args, get_origin

import email_validator
from ninja.schema import DjangoGetter
from pydantic import BaseModel, EmailStr, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

_TEXT_FORMATS: dict[type, tuple[re.Pattern[str], str]] = {
    datetime.datetime: (
        re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?"),
        "date-time (RFC 3339)",
    ),
    datetime.date: (re.compile(r"\d{4}-\d{2}-\d{2}"), "date (YYYY-MM-DD)"),
    uuid.UUID: (
        re.compile(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}"),
        "UUID",
    ),
}
"""Types JSON carries as text, with the text each is published as."""


def _any_case(word: str) -> str:
    """Spell ``word`` as a case-blind ECMA-262 pattern (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


REFUSED_EMAIL = "|".join(
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
        schema["not"] = {"pattern": REFUSED_EMAIL}
        return schema


Email = Annotated[EmailStr, _PublishedAsEmail()]
"""An e-mail address; special-use domains, quoted local parts and IP literals are refused,
and the published schema says so (as the FastAPI renderer's does)."""


def base_type(annotation: Any) -> Any:
    """The type under ``Annotated`` and ``X | None`` (``int`` for ``Annotated[int, ...] | None``)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return base_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        for option in get_args(annotation):
            if option is not type(None):
                return base_type(option)
    return annotation


def _refuse(name: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("json_type", "{name}: {message}", {"name": name, "message": message})


def _checked(name: str, kind: Any, value: Any, from_json: bool) -> Any:
    """``value`` as the field of type ``kind`` may take it, or raise the problem."""
    if kind in _TEXT_FORMATS:
        pattern, label = _TEXT_FORMATS[kind]
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            raise _refuse(name, f"Input should be a valid {label}")
    elif from_json and kind is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(name, "Input should be a valid integer")
    elif from_json and kind is bool and not isinstance(value, bool):
        raise _refuse(name, "Input should be a valid boolean")
    return value


def check_values(model: type[BaseModel], data: Any, from_json: bool) -> Any:
    """Return ``data`` with whole numbers as integers, or refuse a value of the wrong JSON type.

    Args:
        model: The schema ``data`` is validated into.
        data: The request's values (a JSON body, or the query string's values).
        from_json: Whether ``data`` is a JSON body (a query string's values are all text).
    """
    # django-ninja hands a schema without ``extra="forbid"`` its values wrapped in a getter.
    values = data._obj if isinstance(data, DjangoGetter) else data
    if not isinstance(values, Mapping):
        return data
    checked = dict(values)
    for name, field in model.model_fields.items():
        key = field.alias or name
        if checked.get(key) is not None:
            checked[key] = _checked(key, base_type(field.annotation), checked[key], from_json)
    return checked if values is data else data
