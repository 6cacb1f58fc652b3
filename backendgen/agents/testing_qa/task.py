"""The ``testing_qa`` agent's task and the context it sends the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import answers_view, core_view, upstream_core
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

TASK = (
    "Give one valid create payload per entity (field values only, respecting every "
    "constraint), invalid payloads the API must reject with the reason, end-to-end "
    "scenarios, and a load profile."
)
"""The task sentence of the agent's system prompt."""


def build_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    """The ``testing_qa`` agent's prompt context at detail ``level``."""
    core = upstream_core(upstream)
    view = core_view(core.entities, core.enums, core.api_prefix, min(level, 1))
    return {"answers": answers_view(answers, "scale"), **view}
