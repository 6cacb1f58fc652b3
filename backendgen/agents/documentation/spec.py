"""The ``documentation`` agent's slot spec: overview, decisions, runbooks, examples."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, model_validator

from backendgen.agents.consistency import duplicates, upstream
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.spec_base import PascalName, ShortText, SlotSpec, SpecPart


class DecisionSpec(SpecPart):
    """An architecture decision record."""

    title: ShortText = Field(description="Decision title, e.g. 'Use PostgreSQL'.")
    context: str = Field(max_length=1000, description="Why a decision was needed.")
    decision: str = Field(max_length=1000, description="What was decided.")
    consequences: str = Field(max_length=1000, description="What follows from it.")


class RunbookSpec(SpecPart):
    """What an operator does when something goes wrong."""

    title: ShortText = Field(description="Situation, e.g. 'Error rate above SLO'.")
    steps: list[ShortText] = Field(min_length=1, max_length=12, description="Ordered steps.")


class UsageExampleSpec(SpecPart):
    """A worked API call for the API guide."""

    title: ShortText = Field(description="What the example shows.")
    entity: PascalName = Field(description="Entity the example works on.")
    action: Literal["create", "list", "read", "update", "delete"] = Field(
        description="CRUD action shown."
    )


class DocumentationSpec(SlotSpec):
    """The prose of README, API, DEPLOYMENT and ARCHITECTURE documents."""

    overview: str = Field(max_length=2000, description="What the service does, for whom.")
    audience: ShortText = Field(default="", description="Who operates and who calls the API.")
    decisions: list[DecisionSpec] = Field(
        default_factory=list, max_length=15, description="Architecture decisions."
    )
    runbooks: list[RunbookSpec] = Field(
        default_factory=list, max_length=15, description="Operational runbooks."
    )
    examples: list[UsageExampleSpec] = Field(
        default_factory=list, max_length=20, description="API usage examples."
    )
    glossary: dict[Annotated[str, StringConstraints(max_length=60)], ShortText] = Field(
        default_factory=dict, max_length=30, description="Domain terms and their meaning."
    )

    @model_validator(mode="after")
    def _check_consistency(self, info: ValidationInfo) -> DocumentationSpec:
        problems = duplicates((d.title for d in self.decisions), "decision")
        core = upstream(info, "core_backend")
        if isinstance(core, CoreBackendSpec):
            known = {e.name for e in core.entities}
            problems += [
                f"example names unknown entity '{ex.entity}'"
                for ex in self.examples
                if ex.entity not in known
            ]
        if problems:
            raise ValueError("; ".join(problems))
        return self
