"""Name conversions shared by the spec models, the validators and the templates.

Derived names (module, table, route) are computed here once and travel inside the slot
answers, so the Copier template needs no custom filters to spell them.
"""

from __future__ import annotations

import hashlib
import keyword
import re

from pydantic import BaseModel

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

PASCAL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
"""An entity or enum name: ``OrderItem``."""

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
"""A field, role or module name: ``unit_price``."""

UPPER_SNAKE_CASE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
"""An enum value: ``IN_TRANSIT``."""

RESERVED_TYPE_NAMES: frozenset[str] = frozenset(
    {
        "User",
        "AuditLog",
        "AuditLogEntry",
        "LegalHold",
        "ConsentRecord",
        "Base",
        "TimestampMixin",
        "Mapped",
        "Boolean",
        "Date",
        "DateTime",
        "Decimal",
        "Enum",
        "ForeignKey",
        "Integer",
        "Numeric",
        "String",
        "Text",
        "Uuid",
        "UUID",
    }
)
"""Entity and enum names taken by the skeleton's tables or the generated modules' imports."""

_SQL_WORDS = """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast
    check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user
    default deferrable desc distinct do else end except false fetch for foreign freeze from
    full grant group having ilike in initially inner intersect into is isnull join lateral
    leading left like limit localtime localtimestamp natural not notnull null offset on only or
    order outer overlaps placing primary references returning right select session_user
    similar some symmetric system_user table tablesample then to trailing true union unique
    user using variadic verbose when where window with date time timestamp interval"""

_SQL_RESERVED = frozenset(_SQL_WORDS.split())
"""PostgreSQL's reserved key words plus the SQL type words ``date``/``time``/... ."""

RESERVED_PYTHON_NAMES: frozenset[str] = frozenset(
    {k.lower() for k in [*keyword.kwlist, *keyword.softkwlist] if k != "_"}
    | {n for n in dir(BaseModel) if not n.startswith("_")}
    | {"id", "created_at", "updated_at", "metadata", "registry", "query", "type", "dt"}
)
"""Python keywords, pydantic/SQLAlchemy model attributes, names our code uses, our columns."""

RESERVED_FIELD_NAMES: frozenset[str] = RESERVED_PYTHON_NAMES | _SQL_RESERVED
"""Field names renamed to ``<name>_value``."""

RESERVED_SUFFIX = "_value"
"""What a reserved field name gets appended (``order`` -> ``order_value``)."""

RESERVED_PREFIX = "App"
"""What a reserved entity or enum name gets prepended (``User`` -> ``AppUser``)."""

GENERATED_MODULE_NAMES: frozenset[str] = frozenset(
    {"common", "crud", "deps", "enums", "errors", "health", "openapi"}
)
"""Modules of the skeleton in the packages where every entity adds ``<module>.py``.

``core/models``, ``core/schemas``, ``core/services`` and ``core/controllers`` hold one module
per entity, named ``snake(entity)``; an entity spelled like one of these would overwrite it.
"""

PYTEST_CLASS_PREFIX = "Test"
"""Classes whose name starts with this are collected by pytest wherever a test imports them."""

MAX_IDENTIFIER_LENGTH = 63
"""Longest PostgreSQL identifier (table, column, constraint, index names), in bytes."""


def type_name_problem(name: str) -> str | None:
    """Say why an entity or enum name would break the generated project, if it would.

    Args:
        name: A PascalCase entity or enum name.

    Returns:
        A short reason (``"reserved name"``, ``"module 'health' of the generated project"``,
        ``"pytest collects 'Test*' classes"``), or None if the name is safe.
    """
    if name in RESERVED_TYPE_NAMES:
        return "reserved name"
    if snake(name) in GENERATED_MODULE_NAMES:
        return f"module '{snake(name)}' of the generated project"
    if name.startswith(PYTEST_CLASS_PREFIX):
        return f"pytest collects '{PYTEST_CLASS_PREFIX}*' classes"
    return None


def safe_type_name(name: str) -> str:
    """Return the rename policy's spelling of an entity or enum name (itself if safe).

    Args:
        name: A PascalCase entity or enum name.

    Returns:
        ``name`` prefixed with :data:`RESERVED_PREFIX` when :func:`type_name_problem` objects
        (``Health`` -> ``AppHealth``, ``TestEntity`` -> ``AppTestEntity``).
    """
    return f"{RESERVED_PREFIX}{name}" if type_name_problem(name) else name


def snake(name: str) -> str:
    """Convert ``OrderItem`` or ``order-item`` to ``order_item``.

    Args:
        name: A PascalCase, camelCase, kebab-case or snake_case name.

    Returns:
        The snake_case spelling.
    """
    spaced = _CAMEL_BOUNDARY.sub("_", name.replace("-", "_").replace(" ", "_"))
    return re.sub(r"_+", "_", spaced).strip("_").lower()


def kebab(name: str) -> str:
    """Convert a name to kebab-case (``OrderItem`` -> ``order-item``).

    Args:
        name: Any name :func:`snake` accepts.

    Returns:
        The kebab-case spelling.
    """
    return snake(name).replace("_", "-")


def pascal(name: str) -> str:
    """Convert a name to PascalCase (``order_item`` -> ``OrderItem``).

    Args:
        name: Any name :func:`snake` accepts.

    Returns:
        The PascalCase spelling.
    """
    return "".join(part.capitalize() for part in snake(name).split("_"))


def plural(word: str) -> str:
    """Pluralise an English snake_case noun well enough for table and route names.

    Args:
        word: A snake_case noun; only its last segment is pluralised.

    Returns:
        The plural form (``category`` -> ``categories``, ``status`` -> ``statuses``).
    """
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if re.search(r"[^aeiou]y$", last):
        return f"{prefix}{last[:-1]}ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return f"{prefix}{last}es"
    return f"{prefix}{last}s"


def bounded_name(head: str, suffix: str, limit: int) -> str:
    """Join a snake_case name and a suffix within ``limit`` characters, deterministically.

    Args:
        head: A snake_case name, e.g. an entity's module.
        suffix: What follows it, e.g. ``_latency``.
        limit: The longest result allowed.

    Returns:
        ``head + suffix`` if it fits; else a prefix of ``head``, ``_`` and six hex digits of
        its SHA-256, then ``suffix`` (the same input always gives the same name).
    """
    name = f"{head}{suffix}"
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(head.encode()).hexdigest()[:6]
    short = head[: max(limit - len(suffix) - len(digest) - 1, 1)].rstrip("_")
    return f"{short}_{digest}{suffix}"
