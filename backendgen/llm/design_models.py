"""What the model answers when it designs a domain: a whole domain, or an outline and batches.

A small design is one :class:`DesignedDomain`. A large one is a :class:`DomainOutline` (entity
names, one-line purposes, relationships, enums, roles) and then one :class:`EntityBatch` per
group of entities (their fields, rules, samples and retention), merged into a
:class:`DesignedDomain`. Each answer goes through the rename policy for reserved names and is
cross-checked against what the validation context knows, so every error is re-asked.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from backendgen.domain.declared import DomainSpec
from backendgen.domain.entities import (
    EntitySpec,
    EnumSpec,
    FieldSpec,
    RelationshipSpec,
    reference_problems,
)
from backendgen.domain.rename import map_reserved_names
from backendgen.domain.roles import RoleHint
from backendgen.domain.samples import JsonScalar
from backendgen.domain.types import PascalName, ShortText
from backendgen.renderers import reserved_member_names

MAX_SINGLE_DESIGN_ENTITIES = 24
"""Most entities of a domain designed in one request."""

MAX_DESIGNED_ENTITIES = 80
"""Most entities of a designed domain (a fanned-out one; the core spec's own bound)."""


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _renamed(data: Any, info: ValidationInfo) -> Any:
    """``data`` with reserved names renamed; the warnings go to ``context['warnings']``."""
    if not isinstance(data, dict):
        return data
    renamed = copy.deepcopy(data)
    warnings = map_reserved_names(renamed, reserved_member_names())
    found = _context(info).get("warnings")
    if isinstance(found, list):
        found[:] = warnings
    return renamed


def _unknown_keys(what: str, keys: list[str], names: set[str]) -> list[str]:
    known = ", ".join(sorted(names))
    return [f"{what} names unknown entity '{k}' (known: {known})" for k in keys if k not in names]


def _unknown_entity_keys(domain: DomainSpec) -> list[str]:
    names = {e.name for e in domain.entities}
    problems = _unknown_keys("samples", list(domain.samples), names)
    problems += _unknown_keys("retention", list(domain.retention), names)
    for role in domain.roles:
        problems += _unknown_keys(
            f"role {role.name}", [k for k in role.permissions if k != "*"], names
        )
    return problems


class DesignedDomain(DomainSpec):
    """A domain spec as designed by the model: renamed, bounded and cross-checked.

    The validation context's ``max_entities`` sets the bound (one request's by default).
    """

    @model_validator(mode="before")
    @classmethod
    def _rename_reserved(cls, data: Any, info: ValidationInfo) -> Any:
        return _renamed(data, info)

    @model_validator(mode="after")
    def _bounded_and_consistent(self, info: ValidationInfo) -> DesignedDomain:
        bound = int(_context(info).get("max_entities", MAX_SINGLE_DESIGN_ENTITIES))
        if len(self.entities) > bound:
            raise ValueError(
                f"{len(self.entities)} entities: a designed domain has at most {bound}"
            )
        self.check_references()  # relationships and enum references resolve
        problems = _unknown_entity_keys(self)
        if problems:
            raise ValueError("; ".join(problems[:3]))
        return self


class OutlineEntity(BaseModel):
    """One entity of an outline: its name, purpose and references."""

    model_config = ConfigDict(extra="forbid")

    name: PascalName = Field(description="Entity name in PascalCase, singular, e.g. 'Order'.")
    description: ShortText = Field(description="The entity's purpose in one line.")
    relationships: list[RelationshipSpec] = Field(
        default_factory=list, max_length=10, description="References to other entities."
    )


class DomainOutline(BaseModel):
    """The first answer of a large design: the entities, their references, enums and roles."""

    model_config = ConfigDict(extra="forbid")

    title: ShortText = Field(default="Custom domain", description="Human name of the domain.")
    summary: ShortText = Field(default="", description="One sentence on the domain.")
    entities: list[OutlineEntity] = Field(
        min_length=1, description="Every entity of the domain, without fields."
    )
    enums: list[EnumSpec] = Field(default_factory=list, description="Enums fields may use.")
    roles: list[RoleHint] = Field(
        default_factory=list, description="Roles; the first is the administrator."
    )
    glossary: dict[str, ShortText] = Field(default_factory=dict, description="Domain terms.")

    @model_validator(mode="before")
    @classmethod
    def _rename_reserved(cls, data: Any, info: ValidationInfo) -> Any:
        return _renamed(data, info)

    @model_validator(mode="after")
    def _bounded_and_consistent(self) -> DomainOutline:
        if len(self.entities) > MAX_DESIGNED_ENTITIES:
            raise ValueError(
                f"{len(self.entities)} entities: a designed domain has at most "
                f"{MAX_DESIGNED_ENTITIES}"
            )
        entities = [
            EntitySpec(name=e.name, description=e.description, relationships=e.relationships)
            for e in self.entities
        ]
        problems = reference_problems(entities, self.enums)
        names = {e.name for e in self.entities}
        for role in self.roles:
            problems += _unknown_keys(
                f"role {role.name}", [k for k in role.permissions if k != "*"], names
            )
        if problems:
            raise ValueError("; ".join(problems[:3]))
        return self


class EntityDetail(BaseModel):
    """The details of one outlined entity: its fields and business rules."""

    model_config = ConfigDict(extra="forbid")

    name: PascalName = Field(description="The outlined entity's name, unchanged.")
    fields: list[FieldSpec] = Field(
        default_factory=list, max_length=40, description="Attributes besides id and timestamps."
    )
    rules: list[ShortText] = Field(
        default_factory=list, max_length=10, description="Business rules in one sentence each."
    )


class EntityBatch(BaseModel):
    """One batch answer of a large design: the details of the entities it was asked for.

    The validation context holds the ``outline`` and the batch's entity ``names``.
    """

    model_config = ConfigDict(extra="forbid")

    entities: list[EntityDetail] = Field(description="Exactly the entities asked for, in order.")
    enums: list[EnumSpec] = Field(
        default_factory=list, description="Enums these entities need beyond the outline's."
    )
    samples: dict[str, dict[str, JsonScalar]] = Field(
        default_factory=dict, description="Entity name to one valid create payload."
    )
    retention: dict[str, int] = Field(
        default_factory=dict, description="Entity name to days records with personal data kept."
    )

    @model_validator(mode="before")
    @classmethod
    def _rename_reserved(cls, data: Any, info: ValidationInfo) -> Any:
        return _renamed(data, info)

    @model_validator(mode="after")
    def _complete_and_consistent(self, info: ValidationInfo) -> EntityBatch:
        context = _context(info)
        outline = context.get("outline")
        wanted = list(context.get("names") or [])
        if not isinstance(outline, DomainOutline):
            return self
        given = [e.name for e in self.entities]
        if given != wanted:
            raise ValueError(f"entities must be exactly {wanted} in that order, got {given}")
        merged = batch_entities(outline, self)
        outline_enums = {e.name: e for e in outline.enums}
        problems = [
            f"enum '{e.name}' is already in the outline with other values"
            for e in self.enums
            if e.name in outline_enums and outline_enums[e.name].values != e.values
        ]
        enums = list(outline.enums) + [e for e in self.enums if e.name not in outline_enums]
        others = [e.name for e in outline.entities if e.name not in wanted]
        problems += reference_problems(merged, enums, external=others)
        names = set(wanted)
        problems += _unknown_keys("samples", list(self.samples), names)
        problems += _unknown_keys("retention", list(self.retention), names)
        if problems:
            raise ValueError("; ".join(problems[:3]))
        return self


def batch_entities(outline: DomainOutline, batch: EntityBatch) -> list[EntitySpec]:
    """The batch's entities in full: the outline's purpose and references, the batch's details.

    Raises:
        pydantic.ValidationError: When a field clashes with a reference or a reserved name.
    """
    outlined = {e.name: e for e in outline.entities}
    return [
        EntitySpec(
            name=detail.name,
            description=outlined[detail.name].description,
            fields=detail.fields,
            relationships=outlined[detail.name].relationships,
            rules=detail.rules,
        )
        for detail in batch.entities
        if detail.name in outlined
    ]
