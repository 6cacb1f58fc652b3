"""The ``monitoring_observability`` agent's task and the context it sends the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import answers_view, upstream_core
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

TASK = (
    "Define service-level objectives, Prometheus alerts on error rate, p95 latency, request "
    "rate or saturation (optionally per entity), dashboard panels and tracing settings."
)
"""The task sentence of the agent's system prompt."""


def build_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    """The ``monitoring_observability`` agent's prompt context at detail ``level``."""
    core = upstream_core(upstream)
    context: dict[str, Any] = {
        "answers": answers_view(answers, "scale", "deployment"),
        "entities": [e.name for e in core.entities],
    }
    if level < 2:
        context["endpoints"] = core.endpoints()
    return context
