"""Jinja filters of the Django renderer: each domain type's model field and schema type.

The type maps live here once instead of in every template: ``django_field`` spells a field's
Django model field (the models and the rendered migrations call it, so the two always agree
and ``makemigrations --check`` finds nothing to do), ``ninja_type`` spells its pydantic type
in the django-ninja schemas, and ``django_imports`` lists the standard-library imports a set
of fields needs. Standard library and Jinja only: it runs in plain ``copier copy``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

DECIMAL_DIGITS = (12, 2)
"""Money: twelve digits, two after the point (as the FastAPI renderer's Numeric(12, 2))."""

DEFAULT_STRING_LENGTH = 255
"""Column length of a string field without ``max_length``."""

EMAIL_LENGTH = 320
"""Column length of an email field without ``max_length``."""

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
"""Bounds of an integer column (PostgreSQL ``integer``)."""

_SIMPLE = {
    "text": "models.TextField",
    "integer": "models.IntegerField",
    "boolean": "models.BooleanField",
    "date": "models.DateField",
    "datetime": "models.DateTimeField",
    "uuid": "models.UUIDField",
}

_SCHEMA = {
    "string": "str",
    "text": "str",
    "email": "str",
    "integer": "int",
    "decimal": "Money",
    "boolean": "bool",
    "date": "datetime.date",
    "datetime": "datetime.datetime",
    "uuid": "uuid.UUID",
}


def django_field(field: Mapping[str, Any], indent: int = 4, encrypted: bool = False) -> str:
    """Return the Django model field of a domain field, as Python source.

    Args:
        field: A core spec field (``name``, ``type``, ``required``, ``unique``, ...).
        indent: The indentation of the line the field starts on.
        encrypted: The field is stored encrypted (a text column of ciphertext).
    """
    kind = str(field["type"])
    args: list[str] = []
    if encrypted:
        call = "models.TextField"
    elif kind in ("string", "email", "enum"):
        call = "models.CharField"
        default = EMAIL_LENGTH if kind == "email" else DEFAULT_STRING_LENGTH
        args.append(f"max_length={field.get('max_length') or default}")
    elif kind == "decimal":
        call = "models.DecimalField"
        args += [f"max_digits={DECIMAL_DIGITS[0]}", f"decimal_places={DECIMAL_DIGITS[1]}"]
    else:
        call = _SIMPLE[kind]
    if not field.get("required", True):
        args += ["null=True", "blank=True"]
    if field.get("unique") and not encrypted:
        args.append("unique=True")
    return exploded(call, args, indent)


def django_relation(relationship: Mapping[str, Any], indent: int = 4) -> str:
    """Return the Django field of a relationship (a foreign key to its target), as source.

    Args:
        relationship: A core spec relationship (``name``, ``target``, ``kind``, ``required``).
        indent: The indentation of the line the field starts on.
    """
    target = relationship["target"]
    to = "security.User" if target == "User" else f"core.{target}"
    call = (
        "models.OneToOneField" if relationship.get("kind") == "one_to_one" else "models.ForeignKey"
    )
    args = [json.dumps(to)]
    if relationship.get("required", True):
        args.append("on_delete=models.PROTECT")
    else:
        args += ["on_delete=models.SET_NULL", "null=True", "blank=True"]
    args.append('related_name="+"')
    if relationship.get("column") and relationship["column"] != f"{relationship['name']}_id":
        args.append(f"db_column={json.dumps(relationship['column'])}")
    return exploded(call, args, indent)


def ninja_constraints(field: Mapping[str, Any]) -> list[str]:
    """Return the keyword arguments of pydantic's ``Field`` holding a domain field's bounds."""
    kind = str(field["type"])
    args: list[str] = []
    if kind in ("string", "text", "email"):
        if field.get("min_length") is not None:
            args.append(f"min_length={field['min_length']}")
        if field.get("max_length") is not None:
            args.append(f"max_length={field['max_length']}")
        if field.get("pattern"):
            args.append(f"pattern={json.dumps(field['pattern'])}")
    elif kind == "integer":
        low, high = field.get("minimum"), field.get("maximum")
        args.append(f"ge={max(math.ceil(low), INT32_MIN) if low is not None else INT32_MIN}")
        args.append(f"le={min(math.floor(high), INT32_MAX) if high is not None else INT32_MAX}")
    return args


def money_bounds(field: Mapping[str, Any]) -> list[str]:
    """Return the ``Field`` arguments bounding a decimal field (none for an unbounded one).

    They go inside the field's own ``Annotated`` alias of ``Money``: pydantic cannot push a
    bound given on a ``Money | None`` field into the validated ``Money``.
    """
    args: list[str] = []
    if field.get("minimum") is not None:
        args.append(f'ge=Decimal("{max(field["minimum"], -9999999999.99)}")')
    if field.get("maximum") is not None:
        args.append(f'le=Decimal("{min(field["maximum"], 9999999999.99)}")')
    return args


def ninja_type(field: Mapping[str, Any]) -> str:
    """Return the pydantic type of a domain field in the django-ninja schemas.

    An enum field is typed by its enum's alias (``ProductStatus``, a ``Literal`` of its values
    that the schemas module declares once), a decimal by ``Money`` (a JSON number both ways,
    as the FastAPI renderer publishes it; the schemas module declares it).

    Args:
        field: A core spec field.
    """
    if field["type"] == "enum":
        return str(field["enum"])
    if field["type"] == "email":
        return "Email"
    return _SCHEMA[str(field["type"])]


def exploded(call: str, args: Iterable[str], indent: int) -> str:
    """Return ``call(args)`` one argument a line with a trailing comma, or ``call()``.

    Ruff's formatter keeps a call with a magic trailing comma exploded whatever its length,
    so the rendered code is formatted whatever the domain's names are.

    Args:
        call: The callee (``models.CharField``).
        args: Its arguments, as source.
        indent: The indentation of the line the call starts on.
    """
    items = list(args)
    if not items:
        return f"{call}()"
    inner = " " * (indent + 4)
    lines = "".join(f"{inner}{arg},\n" for arg in items)
    return f"{call}(\n{lines}{' ' * indent})"


def django_imports(fields: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return the standard-library import lines the schema types of ``fields`` need."""
    kinds = {str(field["type"]) for field in fields}
    lines = ["import datetime"]  # every record has created_at and updated_at
    if "uuid" in kinds:
        lines.append("import uuid")
    if "decimal" in kinds:
        lines.append("from decimal import Decimal")
    return sorted(lines, key=lambda line: (line.startswith("from"), line))


class DjangoFilters(Extension):
    """Registers the Django renderer's filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["django_field"] = django_field
        environment.filters["ninja_type"] = ninja_type
        environment.filters["django_imports"] = django_imports
        environment.filters["django_relation"] = django_relation
        environment.filters["ninja_constraints"] = ninja_constraints
        environment.filters["money_bounds"] = money_bounds
        environment.filters["exploded"] = exploded
