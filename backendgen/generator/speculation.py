"""Agents that start on the declared core spec before the core agent answers (speculation).

The security and testing agents read the core spec's fields, which the core agent usually
keeps as declared. They start on the declared spec; when the core answer comes, their result
stands if what they read is unchanged: the same prompt, and the spec still validates against
the real core. Otherwise they are asked again on it, and the report counts both attempts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from pydantic import ValidationError

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.prompts import build_messages
from backendgen.agents.registry import AgentDefinition
from backendgen.agents.spec_base import SlotSpec
from backendgen.llm.runtime import AgentOutcome


def speculation_holds(
    agent: AgentDefinition,
    spec: SlotSpec,
    early: BlueprintInput,
    real: BlueprintInput,
    *,
    llm: bool,
) -> bool:
    """Whether a spec made on ``early``'s upstream specs stands for ``real``'s.

    Args:
        agent: The agent.
        spec: Its spec, made on ``early``.
        early: The input it was made on (declared upstream specs).
        real: The input with the upstream answers.
        llm: Whether the spec came through an LLM prompt (a blueprint reads every upstream
            detail, so only equal upstream specs let it stand).

    Returns:
        True when the upstream specs are equal, or, for an LLM agent, when the prompt is the
        same and the spec validates against the real upstream specs.
    """
    if dict(early.upstream) == dict(real.upstream):
        return True
    if not llm or agent.template is not None:
        return False
    asked = build_messages(agent.name, early.answers, early.domain, early.upstream)
    if asked != build_messages(agent.name, real.answers, real.domain, real.upstream):
        return False
    try:
        agent.spec_type.model_validate(
            spec.model_dump(mode="json"), context=real.validation_context()
        )
    except ValidationError:
        return False
    return True


def with_attempt(outcome: AgentOutcome, attempt: AgentOutcome) -> AgentOutcome:
    """``outcome`` whose report also counts the requests, tokens and cost of ``attempt``."""
    report, spent = outcome.report, attempt.report
    report.prompt_tokens += spent.prompt_tokens
    report.completion_tokens += spent.completion_tokens
    report.requests += spent.requests
    report.replayed += spent.replayed
    report.cost_usd = round(report.cost_usd + spent.cost_usd, 6)
    return dataclasses.replace(
        outcome, sent_prompt_tokens=outcome.sent_prompt_tokens + attempt.sent_prompt_tokens
    )


def settle(
    agent: AgentDefinition,
    outcome: AgentOutcome,
    early: BlueprintInput,
    real: BlueprintInput,
    run: Callable[[Mapping[str, SlotSpec]], AgentOutcome],
    *,
    llm: bool,
) -> AgentOutcome:
    """The outcome that stands once the upstream answers are known.

    Args:
        agent: The agent that started on declared specs.
        outcome: What it produced then.
        early: The input it was made on.
        real: The input with the upstream answers.
        run: Runs the agent on the given upstream specs.
        llm: Whether the outcome came through an LLM prompt.

    Returns:
        ``outcome`` when it holds, else the agent's outcome on the answers (both counted).
    """
    if speculation_holds(agent, outcome.spec, early, real, llm=llm):
        return outcome
    return with_attempt(run(real.upstream), outcome)
