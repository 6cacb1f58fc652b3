"""The ``core_backend`` agent's slot spec: entities, fields, enums, relationships, rules."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from backendgen.agents.spec_base import (
    EnumValue,
    PascalName,
    ShortText,
    SlotSpec,
    SnakeName,
    SpecPart,
)
from backendgen.naming import (
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

BASE_REVISION = "0000_base"
"""The skeleton's Alembic revision every entity migration chain starts from."""

API_PREFIX = "/api/v1"
"""The default URL prefix of all routes."""

EXTERNAL = "external_entities"
"""Validation-context key of entity names declared outside a spec (a fan-out group's peers)."""

USERS_TARGET = "User"
"""Relationship target naming the backend's own users table (``security/models.py``), e.g. an
entity's owner; ``User`` is a reserved entity name, so no entity can take it."""

DECLARED = "declared_domain"
"""Validation-context key of the domain as declared: a core spec must keep all of it."""

CRUD_ACTIONS: tuple[str, ...] = ("create", "read", "update", "delete")
"""The actions every entity endpoint set supports, in permission-matrix order."""


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
    rules: list[ShortText] = Field(
        default_factory=list, max_length=10, description="Business rules in one sentence each."
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

    @model_validator(mode="after")
    def _check_unique_names(self) -> EntitySpec:
        names = [f.name for f in self.fields] + [r.column for r in self.relationships]
        names += [r.name for r in self.relationships]
        reserved = {"id", "created_at", "updated_at"}
        clashes = sorted({n for n in names if names.count(n) > 1} | (reserved & set(names)))
        if clashes:
            raise ValueError(f"entity '{self.name}' has duplicate or reserved names: {clashes}")
        return self


class CoreBackendSpec(SlotSpec):
    """The domain model the whole backend is built from."""

    schema_version: int = 2
    """Version 2 allows entities without fields and a spec without entities (the skeleton)."""

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
        problems: list[str] = []
        entity_names = [e.name for e in self.entities]
        external = info.context.get(EXTERNAL, ()) if isinstance(info.context, dict) else ()
        enum_names = [e.name for e in self.enums]
        for kind, names in (("entity", entity_names), ("enum", enum_names)):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                problems.append(f"duplicate {kind} names: {dupes}")
        tables = [plural(snake(n)) for n in entity_names]
        if len(set(tables)) != len(tables):
            problems.append("two entities map to the same table name")
        for entity in self.entities:
            too_long = long_identifiers(entity)
            if too_long:
                problems.append(
                    f"{entity.name}: SQL name '{too_long[0]}' is longer than "
                    f"{MAX_IDENTIFIER_LENGTH} characters; shorten the entity or field name"
                )
            for field in entity.fields:
                if field.enum is not None and field.enum not in enum_names:
                    problems.append(f"{entity.name}.{field.name} uses unknown enum '{field.enum}'")
            for rel in entity.relationships:
                known = rel.target in entity_names or rel.target == USERS_TARGET
                if not known and rel.target not in external:
                    problems.append(
                        f"{entity.name}.{rel.name} references unknown entity '{rel.target}'"
                    )
        cycle = _required_cycle(self.entities)
        if cycle:
            problems.append(
                f"required references form a cycle ({' -> '.join(cycle)}): no row could be "
                "created first; make one of them optional"
            )
        if self.page_size > self.max_page_size:
            problems.append("page_size is larger than max_page_size")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _required_cycle(entities: list[EntitySpec]) -> list[str]:
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
            f"rule of {want.name} is missing: {rule!r}"
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
