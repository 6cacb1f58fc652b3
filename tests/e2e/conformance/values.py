"""Comparing JSON values as the OpenAPI types them (a decimal as a number, a date-time as an
instant), so that equal values spelt differently by two frameworks compare equal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def _type(schema: dict[str, Any]) -> tuple[str, str]:
    """The (type, format) of a property schema, ``anyOf`` with null unwrapped."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") != "null":
            return str(option.get("type", "string")), str(option.get("format", ""))
    return "null", ""


def typed(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` as a comparable Python value of the property's type."""
    if value is None:
        return None
    kind, form = _type(schema)
    if kind in ("number", "integer") and not isinstance(value, bool):
        return Decimal(str(value))
    if kind == "string" and form == "date-time":
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if kind == "string" and form == "date":
        return dt.date.fromisoformat(str(value))
    return value


def query_value(value: Any) -> str:
    """A JSON value as a query-string value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
