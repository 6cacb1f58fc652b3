"""The name and text types every domain model (and every slot spec) is built from."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from backendgen.domain.naming import PASCAL_CASE, SNAKE_CASE, UPPER_SNAKE_CASE

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
