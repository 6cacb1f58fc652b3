"""Map JDL fields: types, validations (JHipster's table of what applies to which type)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from backendgen.domain.entities import FieldSpec
from backendgen.domain.naming import RESERVED_FIELD_NAMES, snake
from backendgen.questions.jdl.base import ImporterBase, pattern_problem, with_note
from backendgen.questions.jdl.model import JdlEntity, JdlField, JdlValidation
from backendgen.questions.jdl.tables import (
    _LOCAL_TIME_PATTERN,
    _TYPES,
    DEFAULT_STRING_LENGTH,
    MAX_STRING_LENGTH,
    RULE_FIX,
    allowed_validations,
)
from backendgen.renderers import reserved_member_names


def _listed(rules: frozenset[str]) -> str:
    """``required, unique`` for a set of rule names (sorted, ``and`` before the last)."""
    names = sorted(rules)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


class FieldMapper(ImporterBase):
    """Builds each entity's fields."""

    def _entity_fields(self, entity: JdlEntity) -> None:
        final = self.entity_names[entity.name]
        specs = self.fields.setdefault(final, [])
        for jdl_field in entity.fields:
            errors = len(self._errors)
            spec = self._field(entity.name, jdl_field)
            if len(self._errors) > errors:
                self.failed.add(final)
            if spec is not None and self._register(
                final, spec.name, f"field '{jdl_field.name}'", jdl_field.line
            ):
                specs.append(spec)
        for annotation in (a for f in entity.fields for a in f.annotations):
            self.warn(annotation.line, f"field annotation '@{annotation.name}' ignored")
        if entity.table and entity.table != snake(entity.name):
            self.warn(entity.line, f"custom table name '{entity.table}' of {entity.name} ignored")

    def _field(self, entity: str, jdl: JdlField) -> FieldSpec | None:
        if snake(jdl.name) == "id":
            self.warn(jdl.line, f"{entity}.{jdl.name} dropped: every table has its own 'id'")
            return None
        reserved = RESERVED_FIELD_NAMES | reserved_member_names()
        name = self._member_name(entity, jdl.name, jdl.line, reserved)
        options = self._field_type(entity, jdl)
        if name is None or options is None:
            return None
        options.update(self._validations(entity, jdl, str(options["type"])))
        if options["type"] == "string" and options.get("max_length", 0) > MAX_STRING_LENGTH:
            self.warn(jdl.line, f"{entity}.{jdl.name}: maxlength above 10000, mapped to text")
            options["type"] = "text"
        if options["type"] == "text" and options.get("max_length", 0) > MAX_STRING_LENGTH:
            del options["max_length"]
        if options["type"] == "string":
            options.setdefault("max_length", DEFAULT_STRING_LENGTH)
        options["description"] = with_note(jdl.doc, str(options.pop("note", "")))
        try:
            return FieldSpec(name=name, **options)
        except ValidationError as error:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            self.error(jdl.line, f"{entity}.{jdl.name}: {message}")
            return None

    def _field_type(self, entity: str, jdl: JdlField) -> dict[str, Any] | None:
        if jdl.type in _TYPES:
            kind, note = _TYPES[jdl.type]
            options: dict[str, Any] = {"type": kind, "note": note}
            if jdl.type == "LocalTime":
                options.update(max_length=15, pattern=_LOCAL_TIME_PATTERN)
            return options
        if jdl.type in self.enum_names:
            return {"type": "enum", "enum": self.enum_names[jdl.type]}
        self.error(jdl.line, f"{entity}.{jdl.name} has unknown type '{jdl.type}'")
        return None

    def _validations(self, entity: str, jdl: JdlField, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = {"required": False}
        where = f"{entity}.{jdl.name}"
        allowed = allowed_validations(jdl.type)
        for rule in jdl.validations:
            if rule.kind not in allowed:
                fix = RULE_FIX.get(rule.kind) or f"remove it ({jdl.type} takes {_listed(allowed)})"
                self.error(
                    rule.line, f"{where}: {rule.kind} does not apply to a {jdl.type} field; {fix}"
                )
            elif rule.kind in ("required", "unique"):
                found[rule.kind] = True
            elif rule.kind == "pattern":
                self._pattern(where, rule, kind, found)
            elif rule.kind in ("minbytes", "maxbytes"):
                self.warn(rule.line, f"{where}: {rule.kind} ignored (no byte limits on {jdl.type})")
            else:
                self._bound(where, rule, found)
        return found

    def _pattern(self, where: str, rule: JdlValidation, kind: str, found: dict[str, Any]) -> None:
        if kind != "string" or rule.value is None:
            self.warn(rule.line, f"{where}: pattern on a {kind} field ignored")
            return
        pattern = rule.value.replace(r"\/", "/")
        problem = pattern_problem(pattern)
        if problem is None:
            found["pattern"] = pattern
        else:
            self.warn(rule.line, f"{where}: pattern dropped, {problem}")

    def _bound(self, where: str, rule: JdlValidation, found: dict[str, Any]) -> None:
        value = self._number(where, rule)
        if value is None:
            return
        target = {
            "min": "minimum",
            "max": "maximum",
            "minlength": "min_length",
            "maxlength": "max_length",
        }[rule.kind]
        if target in ("min_length", "max_length"):
            if value != int(value) or value < 0:
                self.error(rule.line, f"{where}: {rule.kind} needs a whole number, got {value}")
                return
            found[target] = int(value)
        else:
            found[target] = value

    def _number(self, where: str, rule: JdlValidation) -> float | None:
        raw = rule.value or ""
        if raw in self.constants:
            raw = self.constants[raw]
        elif raw[:1].isalpha() or raw[:1] == "_":
            self.error(rule.line, f"{where}: {rule.kind} uses unknown constant '{raw}'")
            return None
        return float(raw)
