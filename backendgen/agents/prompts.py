"""The chat messages of an agent's request: the shared system prompt, the agent's own task.

Each agent's task and context builder live in ``backendgen/agents/<name>/task.py`` and send
only what that agent needs.

Context comes in levels of detail: level 0 is complete, each higher level drops detail
(descriptions, then field constraints, then whole lists) so an over-budget prompt can be
compressed before the agent falls back to its blueprint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from backendgen.agents.registry import agent_named
from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.task_context import default_context
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

MAX_DETAIL_LEVEL = 2
"""The most compressed context level."""

SYSTEM_PROMPT = (
    "You are the {agent} agent of backendgen, a generator of production-grade backends. "
    "Your answer is one JSON object of the requested schema, and nothing else. "
    "Describe the domain, never a framework: no code, no library names. "
    "Only reference entities, fields, roles and endpoints that the context lists. {task}"
)


def build_messages(
    agent: str,
    answers: Answers,
    domain: DomainSpec,
    upstream: Mapping[str, SlotSpec],
    level: int = 0,
) -> list[dict[str, str]]:
    """Return the chat messages of one agent's request at a context detail level.

    Args:
        agent: Agent name.
        answers: The questionnaire's answers.
        domain: The domain spec.
        upstream: Specs of the agents this one depends on.
        level: 0 for full context, up to :data:`MAX_DETAIL_LEVEL` for the most compressed.

    Returns:
        System and user messages.
    """
    unit = agent_named(agent)
    context = (unit.context or default_context)(answers, domain, upstream, level)
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(agent=agent, task=unit.task)},
        {"role": "user", "content": json.dumps(context, separators=(",", ":"), sort_keys=True)},
    ]
