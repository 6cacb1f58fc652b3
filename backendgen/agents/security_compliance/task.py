"""The ``security_compliance`` agent's task and the context it sends the model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import answers_view, upstream_core
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

TASK = (
    "Define roles (the first is the administrator), a permission matrix per role and "
    "entity, the fields to encrypt at rest (personal or health data in string or text "
    "fields), retention policies, and the compliance controls of the chosen regimes, each "
    "mapped to the feature implementing it."
)
"""The task sentence of the agent's system prompt."""


def build_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    """The ``security_compliance`` agent's prompt context at detail ``level``."""
    core = upstream_core(upstream)
    entities = [
        {
            "name": e.name,
            "fields": [
                {"name": f.name, "type": f.type, "pii": f.pii, "phi": f.phi, "unique": f.unique}
                for f in e.fields
            ]
            if level < 2
            else [f.name for f in e.fields if f.pii or f.phi],
        }
        for e in core.entities
    ]
    return {"answers": answers_view(answers, "auth", "compliance", "domain"), "entities": entities}
