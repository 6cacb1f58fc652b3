"""Run one agent through an LLM: budget, cache, instructor re-asks, then blueprint fallback."""

from __future__ import annotations

import time
from collections.abc import Callable

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.prompts import MAX_DETAIL_LEVEL, build_messages
from backendgen.agents.registry import AgentDefinition
from backendgen.agents.spec_base import SlotSpec
from backendgen.llm.ask import MIN_COMPLETION_TOKENS, ask_typed, estimate_tokens
from backendgen.llm.fallback_reasons import one_line
from backendgen.llm.fanout import fan_out_core
from backendgen.llm.pricing import cost_usd
from backendgen.llm.replay import Usage
from backendgen.llm.report import AgentReport
from backendgen.llm.runtime import AgentOutcome, LlmRuntime

__all__ = ["LlmRuntime", "estimate_tokens", "run_llm_agent"]


def run_llm_agent(
    agent: AgentDefinition,
    source: BlueprintInput,
    runtime: LlmRuntime,
    blueprint: Callable[[BlueprintInput], SlotSpec] | None = None,
) -> AgentOutcome:
    """Ask the model for one agent's spec; fall back to its blueprint on any failure.

    The prompt is compressed level by level until it fits the budget; every request made
    before (re-asks included) is replayed from the cache; instructor re-asks with the
    validation errors (cross-agent consistency included, through the validation context).
    The core agent asks for a domain larger than ``runtime.entities_per_request`` in
    parallel groups.

    Args:
        agent: The agent.
        source: Answers, domain and upstream specs.
        runtime: Provider, prices, cache and budget.
        blueprint: The fallback (the agent's own blueprint by default).

    Returns:
        The outcome; ``report.source`` is ``llm``, ``cache`` or ``blueprint``.
    """
    if (
        agent.fans_out
        and not source.external
        and len(source.domain.entities) > runtime.entities_per_request
    ):
        return fan_out_core(agent, source, runtime, run_llm_agent)
    return _ask_for_spec(agent, source, runtime, blueprint)


def _ask_for_spec(
    agent: AgentDefinition,
    source: BlueprintInput,
    runtime: LlmRuntime,
    blueprint: Callable[[BlueprintInput], SlotSpec] | None,
) -> AgentOutcome:
    started = time.perf_counter()
    settings = runtime.settings
    context = source.validation_context()
    full = build_messages(agent.name, source.answers, source.domain, source.upstream)
    full_tokens = estimate_tokens(full)
    messages, level = full, 0
    while (
        estimate_tokens(messages) + MIN_COMPLETION_TOKENS > runtime.token_budget
        and level < MAX_DETAIL_LEVEL
    ):
        level += 1
        messages = build_messages(agent.name, source.answers, source.domain, source.upstream, level)
    prompt_estimate = estimate_tokens(messages)
    report = AgentReport(name=agent.name, source="llm", model=settings.model)

    def account(usage: Usage) -> None:
        report.prompt_tokens, report.completion_tokens = (
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        report.requests, report.replayed = usage.requests, usage.replayed
        report.retries = max(usage.requests + usage.replayed - 1, 0)
        report.cost_usd = cost_usd(
            runtime.prices, settings.model, usage.prompt_tokens, usage.completion_tokens
        )
        report.seconds = round(time.perf_counter() - started, 4)

    asked = ask_typed(
        runtime, agent.name, messages, agent.spec_type, budget=runtime.token_budget, context=context
    )
    if asked.value is None:
        spec = (blueprint or agent.blueprint)(source)
        spec = agent.spec_type.model_validate(spec.model_dump(mode="json"), context=context)
        report.source, report.fallback_reason = "blueprint", one_line(asked.reason or "")
        if asked.sent:
            account(asked.usage)
            report.retries = 0
        report.seconds = round(time.perf_counter() - started, 4)
        cached = asked.usage.replayed_tokens if asked.sent else 0
        return AgentOutcome(spec, report, full_tokens, 0, cached_tokens=cached)
    # A plain copy of the spec, without instructor's raw response attached.
    spec = agent.spec_type.model_validate(asked.value.model_dump(mode="json"), context=context)
    usage = asked.usage
    account(usage)
    if usage.requests == 0 and usage.replayed:
        report.source = "cache"
        return AgentOutcome(spec, report, full_tokens, 0, cached_tokens=usage.replayed_tokens)
    return AgentOutcome(spec, report, full_tokens, prompt_estimate)
