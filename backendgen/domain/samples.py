"""Sample values: the JSON scalars of a request body and payloads an API must reject."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from backendgen.domain.types import PascalName, ShortText, SnakeName, SpecPart

JsonScalar = Annotated[str, StringConstraints(max_length=2000)] | int | float | bool | None
"""A JSON scalar value as sent in a request body."""


class InvalidPayloadSpec(SpecPart):
    """A request body the API must reject with 422."""

    entity: PascalName = Field(description="Entity whose create endpoint is called.")
    field: SnakeName = Field(description="Field whose value is wrong.")
    value: JsonScalar = Field(description="The wrong value sent for that field.")
    reason: ShortText = Field(description="Why it is invalid (e.g. 'too long', 'wrong type').")
