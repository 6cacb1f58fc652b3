"""Name conversions shared by the spec models, the validators and the templates.

Derived names (module, table, route) are computed here once and travel inside the slot
answers, so the Copier template needs no custom filters to spell them.
"""

from __future__ import annotations

import re

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

PASCAL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
"""An entity or enum name: ``OrderItem``."""

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
"""A field, role or module name: ``unit_price``."""

UPPER_SNAKE_CASE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
"""An enum value: ``IN_TRANSIT``."""


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
