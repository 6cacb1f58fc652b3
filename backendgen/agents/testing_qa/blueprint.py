"""Blueprint of the ``testing_qa`` agent: samples, invalid payloads, scenarios, load."""

from __future__ import annotations

import re
from datetime import date, datetime

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.blueprints.regex_example import example_matching
from backendgen.agents.core_backend import EntitySpec, EnumSpec, FieldSpec
from backendgen.agents.testing_qa import (
    LoadProfileSpec,
    SamplePayloadSpec,
    ScenarioSpec,
    TestingQaSpec,
)
from backendgen.domain.naming import bounded_name
from backendgen.domain.samples import InvalidPayloadSpec, JsonScalar

LOAD = {
    "small": (5, 20, 800),
    "medium": (20, 50, 500),
    "large": (50, 100, 400),
    "enterprise": (100, 200, 300),
}
"""Virtual users, requests per user and p95 budget (ms) per answered scale."""


def _value_for(field: FieldSpec, enums: dict[str, EnumSpec]) -> JsonScalar:
    """A valid value for a field without a pattern, from its type and bounds."""
    low = field.minimum if field.minimum is not None else 1
    high = field.maximum if field.maximum is not None else max(low, 100)
    number = min(max(low, 1), high)
    text = f"sample {field.name}"
    if field.min_length is not None and len(text) < field.min_length:
        text = text.ljust(field.min_length, "x")
    if field.max_length is not None:
        text = text[: field.max_length]
    values: dict[str, JsonScalar] = {
        "string": text,
        "text": text,
        "integer": int(number),
        "decimal": str(round(number, 2)),
        "boolean": True,
        "date": date(2024, 1, 15).isoformat(),
        "datetime": datetime(2024, 1, 15, 12, 0).isoformat() + "Z",
        "uuid": "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f",
        "email": "someone@example.com",
        "enum": enums[field.enum].values[0] if field.enum else None,
    }
    return values[field.type]


def _sample(
    entity: EntitySpec, declared: dict[str, JsonScalar] | None, enums: dict[str, EnumSpec]
) -> SamplePayloadSpec | None:
    """The domain's sample, completed for required fields; None when a pattern can't be met.

    A required patterned text field gets a string generated to match its pattern.
    """
    values = {k: v for k, v in (declared or {}).items() if k in {f.name for f in entity.fields}}
    for field in entity.fields:
        if field.name in values or not field.required:
            continue
        value = _value_for(field, enums)
        if field.pattern and not (isinstance(value, str) and re.fullmatch(field.pattern, value)):
            if field.type not in ("string", "text", "email"):
                return None
            value = example_matching(field.pattern, field.min_length, field.max_length)
            if value is None:
                return None
        values[field.name] = value
    return SamplePayloadSpec(entity=entity.name, values=values)


def _invalid(entity: EntitySpec) -> list[InvalidPayloadSpec]:
    """Payloads every entity must reject: a wrong type, and a value past a bound."""
    found: list[InvalidPayloadSpec] = []
    for field in entity.fields:
        if field.type in ("integer", "decimal", "boolean") and not any(
            i.reason == "wrong type" for i in found
        ):
            found.append(
                InvalidPayloadSpec(
                    entity=entity.name,
                    field=field.name,
                    value="not-a-number" if field.type != "boolean" else "yes",
                    reason="wrong type",
                )
            )
        if (
            field.type in ("string", "email")
            and field.max_length
            and not any(i.reason == "too long" for i in found)
        ):
            found.append(
                InvalidPayloadSpec(
                    entity=entity.name,
                    field=field.name,
                    value="x" * (field.max_length + 1),
                    reason="too long",
                )
            )
    return found


def testing_blueprint(source: BlueprintInput) -> TestingQaSpec:
    """Derive payloads and scenarios for every entity, and a load profile for the scale.

    Args:
        source: Answers, domain and the core spec.

    Returns:
        The testing spec.
    """
    core, domain = source.core, source.domain
    enums = {e.name: e for e in core.enums}
    samples = [
        sample
        for entity in core.entities
        if (sample := _sample(entity, domain.samples.get(entity.name), enums)) is not None
    ]
    declared = [i for i in domain.invalid if core.entity(i.entity) is not None]
    covered = {i.entity for i in declared}
    derived = [i for e in core.entities if e.name not in covered for i in _invalid(e)]
    scenarios = [
        ScenarioSpec(
            name=bounded_name(e.module, "_lifecycle", 48),
            entity=e.name,
            steps=["create", "read", "list", "update", "delete"],
            description=f"A {e.name} can be created, read, listed, updated and deleted.",
        )
        for e in core.entities
    ]
    users, per_user, budget = LOAD[source.answers.scale]
    return TestingQaSpec(
        samples=samples,
        invalid=(declared + derived)[:200],
        scenarios=scenarios[:80],
        load=LoadProfileSpec(users=users, requests_per_user=per_user, p95_budget_ms=budget),
    )
