"""The ``testing_qa`` agent's slot spec: payloads, scenarios and the load profile."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from backendgen.agents.consistency import upstream
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.spec_base import PascalName, ShortText, SlotSpec, SnakeName, SpecPart
from backendgen.domain.samples import InvalidPayloadSpec, JsonScalar


class SamplePayloadSpec(SpecPart):
    """A valid request body for one entity's create endpoint (relationships are filled in)."""

    entity: PascalName = Field(description="Entity the payload creates.")
    values: dict[SnakeName, JsonScalar] = Field(
        max_length=40, description="Field values, by field name."
    )


class ScenarioSpec(SpecPart):
    """A named end-to-end scenario over one entity."""

    name: SnakeName = Field(description="Scenario name, used as the test name.")
    entity: PascalName = Field(description="Entity exercised.")
    steps: list[Literal["create", "read", "list", "update", "delete"]] = Field(
        min_length=1, max_length=10, description="Actions performed in order."
    )
    description: ShortText = Field(default="", description="What the scenario proves.")


class LoadProfileSpec(SpecPart):
    """A load test profile for the performance tests."""

    users: int = Field(default=10, ge=1, le=10000, description="Concurrent virtual users.")
    requests_per_user: int = Field(default=20, ge=1, le=10000, description="Requests each.")
    p95_budget_ms: int = Field(default=500, ge=1, le=60000, description="p95 latency budget.")


class TestingQaSpec(SlotSpec):
    """Data and scenarios from which the test suites are rendered."""

    samples: list[SamplePayloadSpec] = Field(
        default_factory=list, max_length=80, description="Valid payloads."
    )
    invalid: list[InvalidPayloadSpec] = Field(
        default_factory=list, max_length=200, description="Invalid payloads."
    )
    scenarios: list[ScenarioSpec] = Field(
        default_factory=list, max_length=80, description="Scenarios."
    )
    load: LoadProfileSpec = Field(default_factory=LoadProfileSpec, description="Load profile.")

    @model_validator(mode="after")
    def _check_consistency(self, info: ValidationInfo) -> TestingQaSpec:
        core = upstream(info, "core_backend")
        if not isinstance(core, CoreBackendSpec):
            return self
        problems: list[str] = []
        items: list[tuple[str, list[str]]] = [(s.entity, list(s.values)) for s in self.samples]
        items += [(i.entity, [i.field]) for i in self.invalid]
        items += [(s.entity, []) for s in self.scenarios]
        for entity_name, field_names in items:
            entity = core.entity(entity_name)
            if entity is None:
                problems.append(f"test data names unknown entity '{entity_name}'")
                continue
            known = {f.name for f in entity.fields}
            problems += [
                f"test data names unknown field '{entity_name}.{name}'"
                for name in field_names
                if name not in known
            ]
        if problems:
            raise ValueError("; ".join(sorted(set(problems))))
        return self

    def sample_for(self, entity: str) -> dict[str, Any] | None:
        """Return the sample payload values for ``entity``, if one is declared."""
        return next((dict(s.values) for s in self.samples if s.entity == entity), None)
