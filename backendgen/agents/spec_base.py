"""Base class and shared types for the six slot specs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from backendgen.naming import PASCAL_CASE, SNAKE_CASE, UPPER_SNAKE_CASE

PascalName = Annotated[
    str, StringConstraints(pattern=PASCAL_CASE.pattern, min_length=1, max_length=48)
]
"""An entity or enum name in PascalCase, e.g. ``OrderItem``."""

SnakeName = Annotated[
    str, StringConstraints(pattern=SNAKE_CASE.pattern, min_length=1, max_length=48)
]
"""A field, role or relationship name in snake_case, e.g. ``unit_price``."""

EnumValue = Annotated[
    str, StringConstraints(pattern=UPPER_SNAKE_CASE.pattern, min_length=1, max_length=48)
]
"""An enum value in UPPER_SNAKE_CASE, e.g. ``IN_TRANSIT``."""

ShortText = Annotated[str, StringConstraints(max_length=300)]
"""One sentence of prose (descriptions, titles)."""


class SpecPart(BaseModel):
    """Base of every model inside a slot spec.

    Immutable, and tolerant of the derived keys (computed fields) that a dumped spec carries
    when it is read back from the answers.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)


class SlotSpec(SpecPart):
    """Base of every agent's slot spec.

    Specs describe the domain, never a framework, so any renderer can use them. They are
    stored in ``.copier-answers.yml`` as ``slot_<agent>`` and must round-trip through
    ``model_dump(mode="json")`` and ``model_validate``.
    """

    schema_version: int = 1
    """Version of this spec's schema; bumped when the shape changes (part of cache keys)."""
