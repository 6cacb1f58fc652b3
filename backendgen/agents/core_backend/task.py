"""The ``core_backend`` agent's task and the context it sends the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backendgen.agents.core_backend import API_PREFIX
from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import answers_view, core_view
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

TASK = (
    "Design the domain model: entities with typed, constrained fields (string fields need "
    "max_length), enums, relationships and business rules. Keep every entity, field and "
    "enum of the given domain unchanged; you may add what the requirements need."
)
"""The task sentence of the agent's system prompt."""


def build_context(
    answers: Answers, domain: DomainSpec, _upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    """The ``core_backend`` agent's prompt context at detail ``level``."""
    keys = ("project_description", "domain", "compliance", "scale", "requirements")
    return {
        "answers": answers_view(answers, *keys),
        "domain": {
            "title": domain.title,
            **core_view(domain.entities, domain.enums, API_PREFIX, level),
        },
    }
