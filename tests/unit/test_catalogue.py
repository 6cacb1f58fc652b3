"""The domain catalogue: every blueprint is valid data whose samples meet their own constraints.

The files are read directly with pyyaml (not through the loader) so that a broken file is
reported with the exact entity, field and value at fault.
"""

from __future__ import annotations

import keyword
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
import yaml

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec, EnumSpec, FieldSpec

CATALOGUE = Path(__file__).resolve().parents[2] / "backendgen" / "catalogue"
DOMAINS = ("ecommerce", "healthcare", "fintech", "saas", "education", "logistics")
TOP_LEVEL_KEYS = {
    "title",
    "summary",
    "entities",
    "enums",
    "roles",
    "retention",
    "glossary",
    "samples",
    "invalid",
}
ACTIONS = {"create", "read", "update", "delete"}

RESERVED_ENTITY_NAMES = {"User", "AuditLog"}
"""Names of the generated backend's own models (tables ``users`` and ``audit_log``)."""

RESERVED_FIELD_NAMES = {
    "order", "group", "user", "from", "type", "id", "created_at", "updated_at", "class",
    "select", "where", "table", "column", "limit", "offset", "key", "level", "end", "check",
    "default", "metadata", "json", "dict", "copy", "schema", "format", "hash", "filter", "list",
    "min", "max", "sum", "range", "object", "property", "input", "open", "next", "iter", "all",
    "any", "len", "vars", "dir", "session", "query", "registry",
}  # fmt: skip
"""Python keywords are added below; these are builtins, SQL words and ORM/pydantic names."""


def _load(domain: str) -> dict[str, Any]:
    data = yaml.safe_load((CATALOGUE / f"{domain}.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{domain}: not a mapping"
    return data


def _core(data: dict[str, Any]) -> CoreBackendSpec:
    return CoreBackendSpec.model_validate({"entities": data["entities"], "enums": data["enums"]})


TEXT_TYPES = ("string", "text", "email")
STRING_TYPES = (*TEXT_TYPES, "uuid", "date", "datetime", "enum")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")
UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def _text_problems(field: FieldSpec, value: str) -> list[str]:
    problems: list[str] = []
    if field.max_length is not None and len(value) > field.max_length:
        problems.append(f"longer than max_length {field.max_length}")
    if field.min_length is not None and len(value) < field.min_length:
        problems.append(f"shorter than min_length {field.min_length}")
    if field.pattern is not None and re.fullmatch(field.pattern, value) is None:
        problems.append(f"does not match pattern {field.pattern}")
    if field.type == "email" and EMAIL.fullmatch(value) is None:
        problems.append("not an email address")
    return problems


def _temporal_problems(field: FieldSpec, value: str) -> list[str]:
    try:
        if field.type == "date":
            date.fromisoformat(value)
            return []
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return [f"not an ISO {field.type}"]
    return [] if parsed.tzinfo is not None else ["datetime without a time zone"]


def _as_number(field: FieldSpec, value: Any) -> Decimal | str:
    """The value as a Decimal, or why it is not a number of the field's type."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return f"expected a number, got {type(value).__name__}"
    if field.type == "integer" and not isinstance(value, int):
        return f"expected an integer, got {type(value).__name__}"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "not a decimal number"
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and exponent < -2):
        return "not a finite number with at most two decimal places"
    return number


def _number_problems(field: FieldSpec, value: Any) -> list[str]:
    number = _as_number(field, value)
    if isinstance(number, str):
        return [number]
    problems: list[str] = []
    if field.minimum is not None and number < Decimal(str(field.minimum)):
        problems.append(f"below minimum {field.minimum}")
    if field.maximum is not None and number > Decimal(str(field.maximum)):
        problems.append(f"above maximum {field.maximum}")
    return problems


def constraint_violations(field: FieldSpec, value: Any, enums: dict[str, EnumSpec]) -> list[str]:
    """Return why ``value`` breaks ``field``'s type or constraints (empty when it is valid)."""
    if value is None:
        return ["missing value for a required field"] if field.required else []
    if field.type in STRING_TYPES and not isinstance(value, str):
        return [f"expected a string, got {type(value).__name__}"]
    if field.type in TEXT_TYPES:
        return _text_problems(field, value)
    if field.type in ("date", "datetime"):
        return _temporal_problems(field, value)
    ok: bool
    if field.type == "uuid":
        ok, reason = bool(UUID.fullmatch(value)), "not a UUID"
    elif field.type == "enum":
        assert field.enum is not None
        ok, reason = value in enums[field.enum].values, f"not a value of enum {field.enum}"
    elif field.type == "boolean":
        ok, reason = isinstance(value, bool), f"expected a boolean, got {value!r}"
    else:
        return _number_problems(field, value)
    return [] if ok else [reason]


@pytest.fixture(params=DOMAINS)
def domain(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    name: str = request.param
    return name, _load(name)


def test_catalogue_holds_every_known_domain() -> None:
    assert set(DOMAINS) <= {p.stem for p in CATALOGUE.glob("*.yml")}


def test_shape_and_core_spec(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    assert set(data) <= TOP_LEVEL_KEYS, f"{name}: unknown keys {set(data) - TOP_LEVEL_KEYS}"
    assert data["title"]
    assert data["summary"]
    core = _core(data)
    assert 4 <= len(core.entities) <= 8, f"{name}: {len(core.entities)} entities"
    assert 3 <= len(data["glossary"]) <= 8
    assert any(r.kind == "one_to_one" for e in core.entities for r in e.relationships)
    assert any(r.kind == "many_to_one" for e in core.entities for r in e.relationships)


def test_names_avoid_reserved_words(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    core = _core(data)
    reserved = RESERVED_FIELD_NAMES | set(keyword.kwlist)
    for entity in core.entities:
        assert entity.name not in RESERVED_ENTITY_NAMES, f"{name}: entity {entity.name}"
        names = [f.name for f in entity.fields] + [r.name for r in entity.relationships]
        clashes = sorted(set(names) & reserved)
        assert not clashes, f"{name}: {entity.name} uses reserved names {clashes}"
    used = {f.enum for e in core.entities for f in e.fields if f.enum}
    assert used == {e.name for e in core.enums}, f"{name}: declared and used enums differ"


def test_no_required_reference_cycles(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    core = _core(data)
    by_name = {e.name: e for e in core.entities}
    seen: set[str] = set()

    def visit(entity: EntitySpec, path: tuple[str, ...]) -> None:
        assert entity.name not in path, f"{name}: reference cycle {' -> '.join(path)}"
        if entity.name in seen:
            return
        for rel in entity.relationships:
            if rel.required:
                visit(by_name[rel.target], (*path, entity.name))
        seen.add(entity.name)

    for entity in core.entities:
        visit(entity, ())


def test_every_entity_has_a_valid_sample(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    core = _core(data)
    enums = {e.name: e for e in core.enums}
    samples: dict[str, dict[str, Any]] = data["samples"]
    assert set(samples) == {e.name for e in core.entities}, f"{name}: samples vs entities"
    for entity in core.entities:
        sample = samples[entity.name]
        fields = {f.name: f for f in entity.fields}
        assert set(sample) <= set(fields), f"{name}: {entity.name} sample has unknown keys"
        for field in entity.fields:
            if field.name not in sample:
                assert not field.required, f"{name}: {entity.name}.{field.name} missing"
                continue
            problems = constraint_violations(field, sample[field.name], enums)
            assert not problems, f"{name}: {entity.name}.{field.name}: {problems}"


def test_invalid_payloads_break_a_constraint(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    core = _core(data)
    enums = {e.name: e for e in core.enums}
    items: list[dict[str, Any]] = data["invalid"]
    counts: dict[str, int] = {}
    for item in items:
        assert set(item) == {"entity", "field", "value", "reason"}, f"{name}: {item}"
        entity = core.entity(item["entity"])
        assert entity is not None, f"{name}: invalid names unknown entity {item['entity']}"
        field = next((f for f in entity.fields if f.name == item["field"]), None)
        assert field is not None, f"{name}: invalid names unknown field {item}"
        assert item["value"] is not None, f"{name}: null is not a reliable invalid value"
        assert constraint_violations(field, item["value"], enums), f"{name}: {item} is valid"
        counts[entity.name] = counts.get(entity.name, 0) + 1
    for entity in core.entities:
        assert 1 <= counts.get(entity.name, 0) <= 3, f"{name}: {entity.name} invalid count"


def test_roles_name_real_entities(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    core = _core(data)
    known = {e.name for e in core.entities} | {"*"}
    roles: list[dict[str, Any]] = data["roles"]
    assert len(roles) >= 2
    assert roles[0]["permissions"] == {"*": ["create", "read", "update", "delete"]}
    assert len({r["name"] for r in roles}) == len(roles), f"{name}: duplicate role names"
    for role in roles:
        assert set(role) <= {"name", "description", "permissions", "principal", "withheld_phi"}
        if "principal" in role:
            assert role["principal"] in known - {"*"}, f"{name}: role {role['name']} principal"
        for entity, fields in role.get("withheld_phi", {}).items():
            phi = {f.name for e in core.entities if e.name == entity for f in e.fields if f.phi}
            assert fields, f"{name}: role {role['name']} withholds nothing of {entity}"
            assert set(fields) <= phi, f"{name}: role {role['name']} withholds non-PHI {fields}"
        for entity, actions in role["permissions"].items():
            assert entity in known, f"{name}: role {role['name']} names unknown {entity}"
            assert actions, f"{name}: role {role['name']} grants nothing on {entity}"
            assert set(actions) <= ACTIONS, f"{name}: role {role['name']} actions {actions}"


def test_retention_names_real_entities(domain: tuple[str, dict[str, Any]]) -> None:
    name, data = domain
    core = _core(data)
    for entity, days in data.get("retention", {}).items():
        assert core.entity(entity) is not None, f"{name}: retention names unknown {entity}"
        assert isinstance(days, int)
        assert 1 <= days <= 36500


def test_field_checker_rejects_what_it_should() -> None:
    enums = {"Colour": EnumSpec(name="Colour", values=["RED"])}
    text = FieldSpec(name="code", type="string", max_length=4, pattern="^[A-Z]+$")
    money = FieldSpec(name="price", type="decimal", minimum=0, maximum=10)
    colour = FieldSpec(name="colour", type="enum", enum="Colour")
    assert constraint_violations(text, "ABCD", enums) == []
    assert constraint_violations(text, "ABCDE", enums)
    assert constraint_violations(text, "ab", enums)
    assert constraint_violations(money, "9.99", enums) == []
    assert constraint_violations(money, "10.001", enums)
    assert constraint_violations(money, -1, enums)
    assert constraint_violations(money, True, enums)
    assert constraint_violations(money, "1.5e400", enums)
    assert constraint_violations(colour, "BLUE", enums)


def test_loader_accepts_every_domain(domain: tuple[str, dict[str, Any]]) -> None:
    from backendgen.questions.domain import load_catalogue_domain

    name, data = domain
    loaded = load_catalogue_domain(name)
    assert [e.name for e in loaded.entities] == [e["name"] for e in data["entities"]]
