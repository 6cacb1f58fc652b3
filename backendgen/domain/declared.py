"""The declared domain: what a user, the catalogue or an importer says the business is.

A domain spec is data, never code: entities and enums (exactly the core backend spec's
shapes) plus the hints the other blueprints use (roles, retention, glossary, test samples).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backendgen.domain.entities import EntitySet, EntitySpec, EnumSpec
from backendgen.domain.roles import RoleHint
from backendgen.domain.samples import InvalidPayloadSpec, JsonScalar
from backendgen.domain.types import ShortText

__all__ = ["DomainSpec", "RoleHint"]


class DomainSpec(BaseModel):
    """A business domain: its entities plus hints for the security, docs and test blueprints."""

    model_config = ConfigDict(extra="forbid")

    title: ShortText = Field(default="Custom domain", description="Human name of the domain.")
    summary: ShortText = Field(default="", description="One sentence on the domain.")
    entities: list[EntitySpec] = Field(
        description="The domain's entities; an empty list generates the application skeleton."
    )
    enums: list[EnumSpec] = Field(default_factory=list, description="Enums fields refer to.")
    roles: list[RoleHint] = Field(
        default_factory=list, description="Roles; the first is the administrator."
    )
    retention: dict[str, int] = Field(
        default_factory=dict, description="Entity name to days records are kept."
    )
    glossary: dict[str, ShortText] = Field(default_factory=dict, description="Domain terms.")
    samples: dict[str, dict[str, JsonScalar]] = Field(
        default_factory=dict, description="Entity name to one valid create payload."
    )
    invalid: list[InvalidPayloadSpec] = Field(
        default_factory=list, description="Payloads the API must reject."
    )

    def check_references(self) -> EntitySet:
        """Check the entities and enums as a whole (the core agent's spec checks the same).

        Returns:
            The validated entities and enums.

        Raises:
            pydantic.ValidationError: If a reference does not resolve, a name repeats, or the
                domain exceeds the core spec's bounds.
        """
        return EntitySet(entities=self.entities, enums=self.enums)
