"""Entities, fields, enums and relationships: the shapes every domain is declared in.

They are the core agent's spec parts too (:mod:`backendgen.agents.core_backend` re-exports
them), and travel inside the slot answers with their derived names (module, table, route).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, computed_field, field_validator, model_validator

from backendgen.domain.naming import (
    MAX_IDENTIFIER_LENGTH,
    RESERVED_FIELD_NAMES,
    RESERVED_PYTHON_NAMES,
    RESERVED_SUFFIX,
    kebab,
    plural,
    safe_type_name,
    snake,
    type_name_problem,
)
from backendgen.domain.rules import RuleInput, RuleSpec, as_rule, rule_problems
from backendgen.domain.types import EnumValue, PascalName, ShortText, SnakeName, SpecPart


def _not_reserved(name: str, reserved: frozenset[str], fix: str) -> str:
    """Reject a name the generated Python or SQL cannot use, suggesting the safe spelling."""
    if name in reserved:
        raise ValueError(f"'{name}' is reserved in Python, SQL or the generated code; use '{fix}'")
    return name


def _safe_type_name(name: str) -> str:
    """Reject an entity or enum name that would break the generated project."""
    problem = type_name_problem(name)
    if problem is not None:
        raise ValueError(f"'{name}' cannot be used ({problem}); use '{safe_type_name(name)}'")
    return name


def long_identifiers(entity: EntitySpec) -> list[str]:
    """The table and column names of ``entity`` that exceed PostgreSQL's identifier length.

    Constraint and index names are not checked: SQLAlchemy shortens a long naming-convention
    name deterministically (a prefix and a hash), the same way in the models and migrations.

    Args:
        entity: An entity.

    Returns:
        The table and column names longer than 63 characters.
    """
    names = [entity.table, *(f.name for f in entity.fields)]
    names += [r.column for r in entity.relationships]
    return [name for name in names if len(name) > MAX_IDENTIFIER_LENGTH]


FieldType = Literal[
    "string", "text", "integer", "decimal", "boolean", "date", "datetime", "uuid", "email", "enum"
]
"""Domain field types. ``decimal`` is money-safe fixed point; ``email`` is a validated string."""

USERS_TARGET = "User"
"""Relationship target naming the backend's own users table (``security/models.py``), e.g. an
entity's owner; ``User`` is a reserved entity name, so no entity can take it."""


class FieldSpec(SpecPart):
    """One attribute of an entity."""

    name: SnakeName = Field(description="Attribute name in snake_case, e.g. 'unit_price'.")
    type: FieldType = Field(description="Domain type of the value.")
    description: ShortText = Field(default="", description="What the value means.")
    required: bool = Field(default=True, description="Whether a value must be given.")
    unique: bool = Field(default=False, description="Whether values are unique per table.")
    min_length: int | None = Field(
        default=None, ge=0, description="Minimum length for string/text/email fields."
    )
    max_length: int | None = Field(
        default=None, ge=1, le=10000, description="Maximum length for string/email fields."
    )
    minimum: float | None = Field(default=None, description="Inclusive lower bound for numbers.")
    maximum: float | None = Field(default=None, description="Inclusive upper bound for numbers.")
    pattern: str | None = Field(
        default=None, max_length=200, description="Regular expression string values must match."
    )
    enum: PascalName | None = Field(
        default=None, description="Name of the enum this field takes values from (type 'enum')."
    )
    pii: bool = Field(default=False, description="Personal data under GDPR.")
    phi: bool = Field(default=False, description="Protected health information under HIPAA.")

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        return _not_reserved(name, RESERVED_FIELD_NAMES, f"{name}{RESERVED_SUFFIX}")

    @model_validator(mode="after")
    def _check_type_options(self) -> FieldSpec:
        if self.type == "enum" and self.enum is None:
            raise ValueError(f"field '{self.name}' has type 'enum' but names no enum")
        if self.type != "enum" and self.enum is not None:
            raise ValueError(f"field '{self.name}' names enum '{self.enum}' but is not type 'enum'")
        if self.type in ("string", "email") and self.max_length is None:
            raise ValueError(f"string field '{self.name}' needs a max_length")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"field '{self.name}' has minimum > maximum")
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError(f"field '{self.name}' has min_length > max_length")
        return self


class EnumSpec(SpecPart):
    """A closed set of values, e.g. an order status."""

    name: PascalName = Field(description="Enum name in PascalCase, e.g. 'OrderStatus'.")
    description: ShortText = Field(default="", description="What the values classify.")
    values: list[EnumValue] = Field(
        min_length=1, max_length=30, description="Allowed values in UPPER_SNAKE_CASE."
    )

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        return _safe_type_name(name)

    @model_validator(mode="after")
    def _check_unique_values(self) -> EnumSpec:
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"enum '{self.name}' has duplicate values")
        return self


class RelationshipSpec(SpecPart):
    """A reference from this entity to another (stored as a foreign key on this side)."""

    name: SnakeName = Field(
        description="Attribute name of the reference, e.g. 'customer' (column 'customer_id')."
    )
    target: PascalName = Field(description="Name of the referenced entity.")
    kind: Literal["many_to_one", "one_to_one"] = Field(
        default="many_to_one",
        description="many_to_one: many of this entity per target; one_to_one: at most one.",
    )
    required: bool = Field(default=True, description="Whether the reference must be set.")
    description: ShortText = Field(default="", description="What the reference means.")

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        return _not_reserved(name, RESERVED_PYTHON_NAMES, f"{name}{RESERVED_SUFFIX}")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def column(self) -> str:
        """Foreign-key column name."""
        return f"{self.name}_id"


class EntitySpec(SpecPart):
    """A persistent domain entity with CRUD endpoints."""

    name: PascalName = Field(description="Entity name in PascalCase, singular, e.g. 'Order'.")
    description: ShortText = Field(default="", description="What the entity represents.")
    fields: list[FieldSpec] = Field(
        default_factory=list,
        max_length=40,
        description="Attributes besides id and timestamps; none for an id-only entity.",
    )
    relationships: list[RelationshipSpec] = Field(
        default_factory=list, max_length=10, description="References to other entities."
    )
    rules: list[Annotated[RuleSpec, BeforeValidator(as_rule, json_schema_input_type=RuleInput)]] = (
        Field(
            default_factory=list,
            max_length=20,
            description="Business rules: prose, or declarative ranges, comparisons and status "
            "transitions the generated backend enforces (backendgen.domain.rules).",
        )
    )

    @field_validator("name")
    @classmethod
    def _check_name(cls, name: str) -> str:
        return _safe_type_name(name)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def module(self) -> str:
        """Python-style module name, e.g. ``order_item``."""
        return snake(self.name)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def table(self) -> str:
        """Table name, e.g. ``order_items``."""
        return plural(snake(self.name))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def route(self) -> str:
        """URL path segment of the collection, e.g. ``order-items``."""
        return kebab(plural(snake(self.name)))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def has_pii(self) -> bool:
        """Whether any field holds personal or health data."""
        return any(f.pii or f.phi for f in self.fields)

    def attributes(self) -> dict[str, tuple[str, str | None]]:
        """Field name -> (type, enum), and relationship column -> ("id", None): what rules name."""
        found: dict[str, tuple[str, str | None]] = {f.name: (f.type, f.enum) for f in self.fields}
        return found | {r.column: ("id", None) for r in self.relationships}

    @model_validator(mode="after")
    def _check_rules(self) -> EntitySpec:
        attributes = self.attributes()
        problems = [p for rule in self.rules for p in rule_problems(self.name, rule, attributes)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _check_unique_names(self) -> EntitySpec:
        names = [f.name for f in self.fields] + [r.column for r in self.relationships]
        names += [r.name for r in self.relationships]
        reserved = {"id", "created_at", "updated_at"}
        clashes = sorted({n for n in names if names.count(n) > 1} | (reserved & set(names)))
        if clashes:
            raise ValueError(f"entity '{self.name}' has duplicate or reserved names: {clashes}")
        return self


def required_cycle(entities: list[EntitySpec]) -> list[str]:
    """A cycle of required references between two or more entities, if any."""
    edges = {
        e.name: [r.target for r in e.relationships if r.required and r.target != e.name]
        for e in entities
    }
    done: set[str] = set()

    def walk(name: str, path: list[str]) -> list[str]:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return []
        for target in edges.get(name, []):
            found = walk(target, [*path, name])
            if found:
                return found
        done.add(name)
        return []

    for name in edges:
        found = walk(name, [])
        if found:
            return found
    return []


def reference_problems(
    entities: list[EntitySpec], enums: list[EnumSpec], external: Collection[str] = ()
) -> list[str]:
    """What breaks the references between ``entities`` and ``enums``.

    Args:
        entities: The domain's entities.
        enums: The domain's enums.
        external: Entity names declared elsewhere that relationships may target (a fan-out
            group's peers).

    Returns:
        One message per duplicate name, shared table, over-long SQL name, unknown enum or
        entity reference, and for a cycle of required references; empty when all resolve.
    """
    problems: list[str] = []
    entity_names = [e.name for e in entities]
    enum_names = [e.name for e in enums]
    for kind, names in (("entity", entity_names), ("enum", enum_names)):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"duplicate {kind} names: {dupes}")
    tables = [plural(snake(n)) for n in entity_names]
    if len(set(tables)) != len(tables):
        problems.append("two entities map to the same table name")
    for entity in entities:
        too_long = long_identifiers(entity)
        if too_long:
            problems.append(
                f"{entity.name}: SQL name '{too_long[0]}' is longer than "
                f"{MAX_IDENTIFIER_LENGTH} characters; shorten the entity or field name"
            )
        values = {e.name: list(e.values) for e in enums}
        for rule in entity.rules:
            problems += rule_problems(entity.name, rule, entity.attributes(), values)
        for field in entity.fields:
            if field.enum is not None and field.enum not in enum_names:
                problems.append(f"{entity.name}.{field.name} uses unknown enum '{field.enum}'")
        for rel in entity.relationships:
            known = rel.target in entity_names or rel.target == USERS_TARGET
            if not known and rel.target not in external:
                problems.append(
                    f"{entity.name}.{rel.name} references unknown entity '{rel.target}'"
                )
    cycle = required_cycle(entities)
    if cycle:
        problems.append(
            f"required references form a cycle ({' -> '.join(cycle)}): no row could be "
            "created first; make one of them optional"
        )
    return problems


class EntitySet(SpecPart):
    """A domain's entities and enums, checked as a whole (the references resolve).

    The core agent's spec holds the same lists with the same bounds; input formats validate
    a declared domain with this model, which needs no agent.
    """

    entities: list[EntitySpec] = Field(
        default_factory=list,
        max_length=80,
        description="Entities, each with CRUD endpoints; none for the application skeleton.",
    )
    enums: list[EnumSpec] = Field(
        default_factory=list, max_length=80, description="Enums fields refer to."
    )

    @model_validator(mode="after")
    def _check_references(self) -> EntitySet:
        problems = reference_problems(self.entities, self.enums)
        if problems:
            raise ValueError("; ".join(problems))
        return self
