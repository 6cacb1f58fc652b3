"""The importer's base: state, the error and warning log, type and member names, enums."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints, TypeAdapter, ValidationError
from pydantic_core import SchemaError

from backendgen.domain.entities import EntitySpec, EnumSpec, FieldSpec, RelationshipSpec
from backendgen.domain.naming import (
    MAX_IDENTIFIER_LENGTH,
    PASCAL_CASE,
    SNAKE_CASE,
    UPPER_SNAKE_CASE,
    pascal,
    plural,
    safe_type_name,
    snake,
    type_name_problem,
)
from backendgen.questions.jdl.model import JdlBlock, JdlDocument, JdlEnum, JdlEnumValue
from backendgen.questions.jdl.tables import _PROJECT_NAME, MAX_DESCRIPTION, MAX_NAME_LENGTH

BUILT_IN_ENTITIES: dict[str, str] = {
    "User": "mapped to the backend's own users table",
    "Authority": "mapped to the backend's roles",
}
"""JHipster's built-in entities and what they are here (docs/jdl.md)."""


def pattern_problem(pattern: str) -> str | None:
    """Return why ``pattern`` cannot be used, or None if Python and pydantic both compile it."""
    if len(pattern) > 200:
        return "longer than 200 characters"
    try:
        re.compile(pattern)
    except re.error as error:
        return f"not a Python regular expression ({error})"
    try:
        TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    except SchemaError:
        return "not supported by pydantic's regex engine (look-around or back-reference)"
    return None


def sanitise_project_name(name: str) -> str | None:
    """Turn ``baseName`` into a valid project name, or None if nothing usable is left."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", name).lstrip("0123456789_-")[:63].rstrip("-_")
    return cleaned if _PROJECT_NAME.match(cleaned) else None


def with_note(doc: str, note: str) -> str:
    """Join a description and a note, within the description limit."""
    text = f"{doc} {note}".strip() if note and note not in doc else doc
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 3] + "..."


class ImporterBase:
    """The importer's state, its error and warning log, and the naming of types and members."""

    def __init__(self, document: JdlDocument, origin: str) -> None:
        self.doc = document
        self.origin = origin
        self._errors: list[tuple[int, str]] = []
        self._warnings: list[tuple[int, str]] = []
        self.constants: dict[str, str] = {}
        self.enum_names: dict[str, str] = {}
        self.entity_names: dict[str, str] = {}
        self.fields: dict[str, list[FieldSpec]] = {}
        self.relationships: dict[str, list[RelationshipSpec]] = {}
        self.members: dict[str, dict[str, tuple[str, int]]] = {}
        self.failed: set[str] = set()
        self.links: list[tuple[int, EntitySpec]] = []
        self.selected: set[str] | None = None
        """JDL names of the entities the chosen application lists (None: every entity)."""
        self.chosen: JdlBlock | None = None
        """The application block whose config gives the answers."""
        self.builtins: dict[str, int] = {}
        """JHipster's built-in entities this file uses, to the line declaring them (0: none)."""

    def error(self, line: int, message: str) -> None:
        """Record a problem that makes the file unusable."""
        self._errors.append((line, f"{self.origin}:{line}: {message}"))

    def warn(self, line: int, message: str) -> None:
        """Record something mapped loosely or ignored."""
        self._warnings.append((line, f"{self.origin}:{line}: {message}"))

    @property
    def warnings(self) -> list[str]:
        """The warnings so far, in file order."""
        return [text for _, text in sorted(self._warnings, key=lambda item: item[0])]

    # -- names ----------------------------------------------------------------------------

    def _type_name(self, kind: str, name: str, line: int) -> str:
        """PascalCase ``name`` and move it off reserved names, warning on every change."""
        final = name if PASCAL_CASE.match(name) else pascal(name)
        if final != name:
            self.warn(line, f"{kind} '{name}' renamed to '{final}' (PascalCase)")
        problem = type_name_problem(final)
        if problem is not None:
            safe = safe_type_name(final)
            self.warn(line, f"{kind} '{final}' renamed to '{safe}' ({problem})")
            final = safe
        if not PASCAL_CASE.match(final):
            self.error(line, f"{kind} '{name}' has no usable PascalCase name")
        if self._check_length(kind, final, line) and kind == "entity":
            table = plural(snake(final))
            if len(table) > MAX_IDENTIFIER_LENGTH:
                self.error(
                    line,
                    f"entity '{name}': table name '{table}' is longer than "
                    f"{MAX_IDENTIFIER_LENGTH} characters (PostgreSQL); shorten the name",
                )
        return final

    def _member_name(
        self, owner: str, name: str, line: int, reserved: frozenset[str]
    ) -> str | None:
        """snake_case a field or relationship name and move it off reserved words.

        Returns:
            The name, or None (with an error recorded) if it is unusable.
        """
        final = snake(name)
        if final in reserved:
            self.warn(line, f"{owner}.{name} renamed to '{final}_value' (reserved word)")
            final = f"{final}_value"
        if not SNAKE_CASE.match(final):
            self.error(line, f"{owner}.{name}: '{final}' is not a valid snake_case name")
            return None
        return final if self._check_length("name", final, line) else None

    def _check_length(self, kind: str, name: str, line: int) -> bool:
        """Report a name longer than the spec allows; return whether it fits."""
        if len(name) > MAX_NAME_LENGTH:
            self.error(line, f"{kind} '{name}' is longer than {MAX_NAME_LENGTH} characters")
            return False
        return True

    def _register(self, entity: str, name: str, label: str, line: int) -> bool:
        """Claim an attribute name of ``entity``; report a duplicate or collision."""
        members = self.members.setdefault(entity, {})
        if name in members:
            other, other_line = members[name]
            if other == label:
                self.error(line, f"duplicate {label} in entity '{entity}' (line {other_line})")
            else:
                self.error(
                    line,
                    f"{label} of entity '{entity}' collides with {other} (line {other_line})"
                    f" as '{name}'",
                )
            return False
        members[name] = (label, line)
        return True

    def _claim_type_names(self) -> None:
        """Name enums and entities; reject duplicates and collisions across both."""
        seen: dict[str, tuple[str, int]] = {}
        declared: list[tuple[str, str, int, dict[str, str]]] = [
            ("enum", e.name, e.line, self.enum_names) for e in self.doc.enums
        ]
        self._claim_builtins()
        declared += [
            ("entity", e.name, e.line, self.entity_names)
            for e in self.doc.entities
            if e.name not in self.builtins
        ]
        for kind, name, line, names in declared:
            if name in names:
                self.error(line, f"duplicate {kind} '{name}'")
                continue
            final = self._type_name(kind, name, line)
            keys = [snake(final)] + ([f"table {plural(snake(final))}"] if kind == "entity" else [])
            clash = next((seen[k] for k in keys if k in seen), None)
            if clash is not None:
                self.error(line, f"{kind} '{name}' collides with '{clash[0]}' (line {clash[1]})")
                continue
            seen.update(dict.fromkeys(keys, (name, line)))
            names[name] = final

    def _claim_builtins(self) -> None:
        """Find the built-in ``User`` and ``Authority``: undeclared, or declared without fields.

        An entity declared with fields of its own is an ordinary entity (``User`` then becomes
        ``AppUser``).
        """
        own = {e.name for e in self.doc.entities if any(snake(f.name) != "id" for f in e.fields)}
        lines = {e.name: e.line for e in self.doc.entities}
        for name, effect in BUILT_IN_ENTITIES.items():
            if name in own:
                continue
            self.builtins[name] = lines.get(name, 0)
            if name in lines:
                self.warn(
                    lines[name],
                    f"entity '{name}' is JHipster's built-in {name}: "
                    f"{effect}, not generated as an entity",
                )

    # -- enums ----------------------------------------------------------------------------

    def _enums(self) -> list[EnumSpec]:
        specs: list[EnumSpec] = []
        for enum in self.doc.enums:
            if enum.name not in self.enum_names or any(
                e.name == self.enum_names[enum.name] for e in specs
            ):
                continue
            values = self._enum_values(enum)
            if not values:
                self.error(enum.line, f"enum '{enum.name}' has no values")
                continue
            displays = [f"{v.name}={v.display}" for v in enum.values if v.display]
            description = enum.doc
            if displays:
                description = with_note(description, "Display names: " + ", ".join(displays))
            specs.append(
                EnumSpec(name=self.enum_names[enum.name], description=description, values=values)
            )
        return specs

    def _enum_values(self, enum: JdlEnum) -> list[str]:
        values: dict[str, JdlEnumValue] = {}
        for value in enum.values:
            final = value.name
            if not UPPER_SNAKE_CASE.match(final):
                final = snake(value.name).upper()
            if final in values:
                other = values[final]
                what = "duplicate" if other.name == value.name else f"'{value.name}' collides:"
                self.error(value.line, f"enum '{enum.name}': {what} value '{final}'")
                continue
            if not UPPER_SNAKE_CASE.match(final):
                self.error(value.line, f"enum '{enum.name}': invalid value '{value.name}'")
                continue
            if final != value.name:
                self.warn(value.line, f"enum value {enum.name}.{value.name} renamed to '{final}'")
            self._check_length("enum value", final, value.line)
            values[final] = value
        return list(values)


def first_message(error: ValidationError) -> str:
    """One line for a pydantic error: message and location."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{message} (at {where})" if where else message
