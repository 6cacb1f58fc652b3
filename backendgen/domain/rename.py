"""Safe spellings for names a user's YAML domain spec takes from Python, SQL or our code.

A field called ``order`` or ``class``, or an entity called ``User``, ``Health`` (a module of
the skeleton) or ``TestRun`` (pytest would collect its classes), would break the generated
backend. Before validation, such names are renamed the way the JDL importer renames them
(``order`` -> ``order_value``, ``User`` -> ``AppUser``), every reference to them follows, and
each rename is reported as a warning.
"""

from __future__ import annotations

from typing import Any

from backendgen.domain.naming import (
    RESERVED_FIELD_NAMES,
    RESERVED_PYTHON_NAMES,
    RESERVED_SUFFIX,
    safe_type_name,
    type_name_problem,
)


def _items(container: Any, key: str) -> list[dict[str, Any]]:
    value = container.get(key) if isinstance(container, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _rename_types(data: dict[str, Any], warnings: list[str]) -> dict[str, str]:
    renamed: dict[str, str] = {}
    for kind, key in (("entity", "entities"), ("enum", "enums")):
        for item in _items(data, key):
            name = item.get("name")
            problem = type_name_problem(name) if isinstance(name, str) else None
            if isinstance(name, str) and problem is not None:
                renamed[name] = item["name"] = safe_type_name(name)
                warnings.append(f"{kind} '{name}' renamed to '{renamed[name]}' ({problem})")
    return renamed


def _rename_members(
    entity: dict[str, Any], types: dict[str, str], warnings: list[str], extra: frozenset[str]
) -> dict[str, str]:
    renamed: dict[str, str] = {}
    owner = entity.get("name")
    for key, reserved in (
        ("fields", RESERVED_FIELD_NAMES | extra),
        ("relationships", RESERVED_PYTHON_NAMES | extra),
    ):
        for member in _items(entity, key):
            name = member.get("name")
            if isinstance(name, str) and name in reserved:
                renamed[name] = member["name"] = f"{name}{RESERVED_SUFFIX}"
                warnings.append(f"{owner}.{name} renamed to '{renamed[name]}' (reserved word)")
            for ref in ("enum", "target"):
                if member.get(ref) in types:
                    member[ref] = types[member[ref]]
    return renamed


def map_reserved_names(data: dict[str, Any], extra: frozenset[str] = frozenset()) -> list[str]:
    """Rename reserved names in a parsed domain spec, in place, with every reference.

    Args:
        data: The YAML document (validated afterwards; malformed parts are left alone).
        extra: Member names the renderers reserve besides the kernel's (Django's ``objects``).

    Returns:
        One warning per rename.
    """
    warnings: list[str] = []
    types = _rename_types(data, warnings)
    members = {
        entity.get("name"): _rename_members(entity, types, warnings, extra)
        for entity in _items(data, "entities")
    }
    samples = data.get("samples")
    if isinstance(samples, dict):
        data["samples"] = {
            types.get(entity, entity): (
                {members.get(types.get(entity, entity), {}).get(k, k): v for k, v in values.items()}
                if isinstance(values, dict)
                else values
            )
            for entity, values in samples.items()
        }
    for item in _items(data, "invalid"):
        entity = str(item.get("entity"))
        item["entity"] = entity = types.get(entity, entity)
        field = str(item.get("field"))
        item["field"] = members.get(entity, {}).get(field, field)
    for role in _items(data, "roles"):
        if isinstance(role.get("permissions"), dict):
            role["permissions"] = {types.get(k, k): v for k, v in role["permissions"].items()}
    if isinstance(data.get("retention"), dict):
        data["retention"] = {types.get(k, k): v for k, v in data["retention"].items()}
    return warnings
