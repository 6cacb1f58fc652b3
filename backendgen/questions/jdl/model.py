"""The parsed JDL document: what a file declares, as written, before any mapping."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class JdlAnnotation:
    """An ``@name(value)`` annotation."""

    name: str
    value: str | None
    line: int


@dataclass(frozen=True)
class JdlValidation:
    """A field validation: ``required``, ``min(3)``, ``pattern(/x/)``..."""

    kind: str
    value: str | None
    line: int


@dataclass(frozen=True)
class JdlField:
    """A field of an entity as written."""

    name: str
    type: str
    validations: tuple[JdlValidation, ...]
    annotations: tuple[JdlAnnotation, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlEntity:
    """An entity as written."""

    name: str
    table: str | None
    fields: tuple[JdlField, ...]
    annotations: tuple[JdlAnnotation, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlEnumValue:
    """An enum value and its optional display text."""

    name: str
    display: str | None
    line: int


@dataclass(frozen=True)
class JdlEnum:
    """An enum as written."""

    name: str
    values: tuple[JdlEnumValue, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlSide:
    """One side of a relationship: ``Entity{field(display) required}``."""

    entity: str
    field: str | None = None
    display: str | None = None
    required: bool = False


@dataclass(frozen=True)
class JdlRelationship:
    """One ``A{x} to B{y}`` line of a relationship block."""

    kind: str
    source: JdlSide
    target: JdlSide
    option: str | None
    annotations: tuple[JdlAnnotation, ...]
    doc: str
    line: int


@dataclass(frozen=True)
class JdlOption:
    """An option line: ``paginate A, B with pagination except C`` (``*`` for all entities)."""

    name: str
    entities: tuple[str, ...]
    value: str | None
    excluded: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class JdlBlock:
    """An ``application`` or ``deployment`` block."""

    kind: str
    config: dict[str, str | list[str]]
    entities: tuple[str, ...]
    options: tuple[JdlOption, ...]
    line: int
    excluded: tuple[str, ...] = ()
    """Entities its ``entities * except A, B`` clause leaves out."""


@dataclass
class JdlDocument:
    """Everything a JDL file declares, in file order per kind."""

    constants: list[tuple[str, str, int]] = field(default_factory=list)
    entities: list[JdlEntity] = field(default_factory=list)
    enums: list[JdlEnum] = field(default_factory=list)
    relationships: list[JdlRelationship] = field(default_factory=list)
    options: list[JdlOption] = field(default_factory=list)
    applications: list[JdlBlock] = field(default_factory=list)
    deployments: list[JdlBlock] = field(default_factory=list)
