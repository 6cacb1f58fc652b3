"""The ``documentation`` agent's task and the context it sends the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import answers_view, upstream_core
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

TASK = (
    "Write the overview, the audience, architecture decisions, operational runbooks, API "
    "usage examples and a glossary for this service."
)
"""The task sentence of the agent's system prompt."""


def build_context(
    answers: Answers, domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    """The ``documentation`` agent's prompt context at detail ``level``."""
    core = upstream_core(upstream)
    keys = ("project_name", "project_description", "database", "auth", "compliance", "scale")
    context: dict[str, Any] = {
        "answers": answers_view(answers, *keys, "deployment", "requirements"),
        "domain": domain.title,
        "entities": [
            {"name": e.name, "description": e.description} if level == 0 else e.name
            for e in core.entities
        ],
    }
    monitoring = upstream.get("monitoring_observability")
    if monitoring is not None and level < 2:
        context["alerts"] = [a["name"] for a in monitoring.model_dump()["alerts"]]
    return context
