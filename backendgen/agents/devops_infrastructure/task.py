"""The ``devops_infrastructure`` agent's task and the context it sends the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import answers_view, upstream_core
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

TASK = (
    "Size the container and the autoscaling for the expected scale, list the environment "
    "variables the service reads (secrets without values), and the CI stages."
)
"""The task sentence of the agent's system prompt."""


def build_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], _level: int
) -> dict[str, Any]:
    """The ``devops_infrastructure`` agent's prompt context at detail ``level``."""
    keys = ("scale", "deployment", "database", "auth", "ci_provider")
    return {
        "answers": answers_view(answers, *keys),
        "entity_count": len(upstream_core(upstream).entities),
    }
