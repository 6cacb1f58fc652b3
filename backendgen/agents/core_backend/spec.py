"""The ``core_backend`` agent's slot spec: entities, fields, enums, relationships, rules.

The entity models themselves are the domain kernel's (:mod:`backendgen.domain.entities`);
this module adds what the core agent's slot holds on top of them (API prefix, paging, the
migration chain) and re-exports them for the modules that import them from here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, computed_field, model_validator

from backendgen.agents.spec_base import SlotSpec
from backendgen.domain.entities import (
    USERS_TARGET,
    EntitySpec,
    EnumSpec,
    FieldSpec,
    FieldType,
    RelationshipSpec,
    long_identifiers,
    reference_problems,
)
from backendgen.domain.naming import snake
from backendgen.domain.roles import CRUD_ACTIONS
from backendgen.domain.rules import rule_text

__all__ = [
    "API_PREFIX",
    "BASE_REVISION",
    "CRUD_ACTIONS",
    "DECLARED",
    "EXTERNAL",
    "USERS_TARGET",
    "CoreBackendSpec",
    "EntitySpec",
    "EnumSpec",
    "FieldSpec",
    "FieldType",
    "RelationshipSpec",
    "declared_changes",
    "long_identifiers",
]


BASE_REVISION = "0000_base"
"""The skeleton's Alembic revision every entity migration chain starts from."""

API_PREFIX = "/api/v1"
"""The default URL prefix of all routes."""

EXTERNAL = "external_entities"
"""Validation-context key of entity names declared outside a spec (a fan-out group's peers)."""

DECLARED = "declared_domain"
"""Validation-context key of the domain as declared: a core spec must keep all of it."""


class CoreBackendSpec(SlotSpec):
    """The domain model the whole backend is built from."""

    schema_version: int = 3
    """Version 2 allows entities without fields and a spec without entities (the skeleton);
    version 3 makes each entity rule an object: prose, or a declarative range, comparison or
    status transitions the backend enforces (:mod:`backendgen.domain.rules`)."""

    entities: list[EntitySpec] = Field(
        default_factory=list,
        max_length=80,
        description="Entities, each with CRUD endpoints; none for the application skeleton.",
    )
    enums: list[EnumSpec] = Field(
        default_factory=list, max_length=80, description="Enums fields refer to."
    )
    api_prefix: str = Field(
        default=API_PREFIX,
        pattern=r"^(/[a-z0-9-]+)+$",
        max_length=40,
        description="URL prefix of all routes.",
    )
    page_size: int = Field(default=20, ge=1, le=500, description="Default page size.")
    max_page_size: int = Field(default=100, ge=1, le=1000, description="Largest page size.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ordered_entities(self) -> list[str]:
        """Entity names ordered so every relationship target comes before its source."""
        by_name = {e.name: e for e in self.entities}
        done: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in done or name in path:
                return
            for rel in by_name[name].relationships:
                if rel.target != name and rel.target in by_name:  # not a fan-out peer
                    visit(rel.target, (*path, name))
            done.append(name)

        for entity in self.entities:
            visit(entity.name, ())
        return done

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deferred_references(self) -> list[dict[str, str]]:
        """References to an entity whose table is created later (mutual references).

        Their foreign key is added by the target's migration, once both tables exist, and the
        models mark it ``use_alter`` so the metadata sorts its tables without a cycle.
        """
        order = self.ordered_entities
        by_name = {e.name: e for e in self.entities}
        deferred: list[dict[str, str]] = []
        for entity in self.entities:
            for rel in entity.relationships:
                target = by_name.get(rel.target)
                if target is None or target.name == entity.name:
                    continue
                if order.index(target.name) > order.index(entity.name):
                    deferred.append(
                        {
                            "entity": entity.name,
                            "table": entity.table,
                            "column": rel.column,
                            "target": target.name,
                            "target_table": target.table,
                        }
                    )
        return deferred

    @computed_field  # type: ignore[prop-decorator]
    @property
    def migrations(self) -> list[dict[str, str | None]]:
        """One Alembic revision per entity, chained in dependency order after ``0000_base``.

        ``0000_base`` is the skeleton's own revision (users and audit log tables).
        """
        revisions: list[dict[str, str | None]] = []
        previous: str | None = BASE_REVISION
        for index, name in enumerate(self.ordered_entities, start=1):
            revision = f"{index:04d}_{snake(name)}"[:32]
            revisions.append({"revision": revision, "down_revision": previous, "entity": name})
            previous = revision
        return revisions

    def entity(self, name: str) -> EntitySpec | None:
        """Return the entity called ``name``, if any."""
        return next((e for e in self.entities if e.name == name), None)

    def endpoints(self) -> list[str]:
        """Return the collection and item paths of every entity, e.g. ``/api/v1/orders/{id}``."""
        paths: list[str] = []
        for entity in self.entities:
            base = f"{self.api_prefix}/{entity.route}"
            paths += [base, f"{base}/{{id}}"]
        return paths

    @model_validator(mode="after")
    def _keep_declared(self, info: ValidationInfo) -> CoreBackendSpec:
        declared = info.context.get(DECLARED) if isinstance(info.context, dict) else None
        if isinstance(declared, CoreBackendSpec):
            problems = declared_changes(declared, self)
            if problems:
                shown = "; ".join(problems[:20])
                more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
                raise ValueError(f"keep the declared domain unchanged: {shown}{more}")
        return self

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> CoreBackendSpec:
        external = info.context.get(EXTERNAL, ()) if isinstance(info.context, dict) else ()
        problems = reference_problems(self.entities, self.enums, external)
        if self.page_size > self.max_page_size:
            problems.append("page_size is larger than max_page_size")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _changed_keys(declared: BaseModel, given: BaseModel) -> list[str]:
    """Keys whose declared value ``given`` changed; an empty description may be filled in."""
    nested = {"fields", "relationships", "rules", *type(declared).model_computed_fields}
    want: dict[str, Any] = declared.model_dump(exclude=nested)
    have: dict[str, Any] = given.model_dump(exclude=nested)
    if not want.get("description"):
        want.pop("description", None)
    return sorted(key for key, value in want.items() if have.get(key) != value)


def declared_changes(declared: CoreBackendSpec, spec: CoreBackendSpec) -> list[str]:
    """List what ``spec`` dropped or changed of the ``declared`` domain (additions are fine).

    Args:
        declared: The domain as the user (or the catalogue) declared it.
        spec: A core backend spec, e.g. from a model enriching the domain.

    Returns:
        One message per dropped or changed entity, field, relationship, rule or enum.
    """
    problems: list[str] = []
    for want in declared.entities:
        got = spec.entity(want.name)
        if got is None:
            problems.append(f"entity {want.name} is missing")
            continue
        problems += [f"{want.name}.{key} changed" for key in _changed_keys(want, got)]
        for kind, wanted, present in (
            ("field", want.fields, {f.name: f for f in got.fields}),
            ("relationship", want.relationships, {r.name: r for r in got.relationships}),
        ):
            for part in wanted:
                match = present.get(part.name)
                if match is None:
                    problems.append(f"{kind} {want.name}.{part.name} is missing")
                else:
                    changed = _changed_keys(part, match)
                    if changed:
                        problems.append(f"{kind} {want.name}.{part.name} changed {changed}")
        problems += [
            f"rule of {want.name} is missing: {rule_text(rule)!r}"
            for rule in want.rules
            if rule not in got.rules
        ]
    enums = {e.name: e for e in spec.enums}
    for enum in declared.enums:
        if enum.name not in enums:
            problems.append(f"enum {enum.name} is missing")
        elif enums[enum.name].values != enum.values:
            problems.append(f"enum {enum.name} values changed")
    return problems
