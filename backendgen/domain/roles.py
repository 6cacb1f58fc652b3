"""Roles and the CRUD actions a role may be granted on an entity."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backendgen.domain.types import PascalName, ShortText, SnakeName

Action = Literal["create", "read", "update", "delete"]
"""A CRUD action on an entity collection."""

CRUD_ACTIONS: tuple[str, ...] = ("create", "read", "update", "delete")
"""The actions every entity endpoint set supports, in permission-matrix order."""


class RoleHint(BaseModel):
    """A role and what it may do, entity by entity (``"*"`` means every entity)."""

    model_config = ConfigDict(extra="forbid")

    name: SnakeName = Field(description="Role name in snake_case.")
    description: ShortText = Field(default="", description="Who holds the role.")
    permissions: dict[str, list[Action]] = Field(
        default_factory=dict, description="Entity name (or '*') to allowed actions."
    )
    principal: PascalName | None = Field(
        default=None,
        description=(
            "Entity whose record stands for a user of this role (e.g. 'Customer'); the role "
            "then sees and writes only the rows that lead to its own record. Defaults to the "
            "entity named like the role, if any."
        ),
    )
    withheld_phi: dict[str, list[SnakeName]] = Field(
        default_factory=dict,
        description=(
            "HIPAA minimum necessary: entity name to the PHI fields this role's work does not "
            "need (e.g. {'Encounter': ['clinical_notes']}); responses to it carry them as null."
        ),
    )
