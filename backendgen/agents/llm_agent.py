"""Run one agent through an LLM: budget, cache, instructor re-asks, then blueprint fallback."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.fanout import fan_out_core
from backendgen.agents.prompts import MAX_DETAIL_LEVEL, build_messages
from backendgen.agents.providers import RawCreate
from backendgen.agents.registry import AgentDefinition
from backendgen.agents.runtime import UNREACHABLE, AgentOutcome, LlmRuntime
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.llm_cache import CachedResult, cache_key
from backendgen.generator.pricing import cost_usd
from backendgen.generator.report import AgentReport

# instructor logs every failed attempt at ERROR; backendgen reports them itself, once.
logging.getLogger("instructor").addHandler(logging.NullHandler())
logging.getLogger("instructor").propagate = False

CHARS_PER_TOKEN = 3.5
"""Offline prompt-size estimate: JSON-heavy prompts run about 3.5 characters a token."""

MIN_COMPLETION_TOKENS = 256
"""A request whose budget leaves less than this for the answer is not sent."""


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """Estimate a prompt's tokens without a tokenizer (nothing downloads at run time).

    Args:
        messages: Chat messages.

    Returns:
        Estimated prompt tokens, including a few per message for the chat framing.
    """
    chars = sum(len(m["content"]) for m in messages)
    return math.ceil(chars / CHARS_PER_TOKEN) + 4 * len(messages)


@dataclass
class Usage:
    """Token usage and requests of one agent's calls, read from the responses."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, response: Any) -> None:
        """Add one response's usage."""
        usage = getattr(response, "usage", None)
        with self.lock:
            self.requests += 1
            if usage is not None:
                self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
                self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)


def _counting(create: RawCreate, usage: Usage) -> RawCreate:
    def counted(*args: Any, **kwargs: Any) -> Any:
        response = create(*args, **kwargs)
        usage.record(response)
        return response

    return counted


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[-1][:160] if lines else type(error).__name__


def _reason(error: BaseException) -> str:
    """A one-line fallback reason naming the kind of failure."""
    cause = error.__cause__ if isinstance(error, InstructorRetryException) else None
    if isinstance(cause, openai.OpenAIError):
        error = cause
    if isinstance(error, openai.APITimeoutError):  # before its base class APIConnectionError
        return "endpoint timed out"
    if isinstance(error, openai.APIConnectionError):
        return UNREACHABLE
    if isinstance(error, openai.APIStatusError):
        return f"endpoint answered HTTP {error.status_code}"
    if isinstance(error, IncompleteOutputException):
        return "the answer was cut off at max_tokens"
    if isinstance(error, InstructorRetryException):
        return f"no valid spec after {error.n_attempts} attempts: {_first_line(error)}"
    return f"{type(error).__name__}: {_first_line(error)}"


def run_llm_agent(
    agent: AgentDefinition,
    source: BlueprintInput,
    runtime: LlmRuntime,
    blueprint: Callable[[BlueprintInput], SlotSpec] | None = None,
) -> AgentOutcome:
    """Ask the model for one agent's spec; fall back to its blueprint on any failure.

    The prompt is compressed level by level until it fits the budget; an identical request
    made before is answered from the cache; instructor re-asks with the validation errors
    (cross-agent consistency included, through the validation context). The core agent asks
    for a domain larger than ``runtime.entities_per_request`` in parallel groups.

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

    def fallback(reason: str, usage: Usage | None = None) -> AgentOutcome:
        spec = (blueprint or agent.blueprint)(source)
        spec = agent.spec_type.model_validate(spec.model_dump(mode="json"), context=context)
        report.source, report.fallback_reason = "blueprint", reason
        if usage is not None:
            report.prompt_tokens, report.completion_tokens = (
                usage.prompt_tokens,
                usage.completion_tokens,
            )
            report.requests = usage.requests
            report.cost_usd = cost_usd(
                runtime.prices, settings.model, usage.prompt_tokens, usage.completion_tokens
            )
        report.seconds = round(time.perf_counter() - started, 4)
        return AgentOutcome(spec, report, full_tokens, 0)

    if runtime.endpoint_down.is_set():
        return fallback(UNREACHABLE)
    if prompt_estimate + MIN_COMPLETION_TOKENS > runtime.token_budget:
        return fallback(
            f"prompt of ~{prompt_estimate} tokens exceeds the budget of {runtime.token_budget}"
        )
    key = cache_key(
        agent.name, agent.spec_type.model_fields["schema_version"].default, settings.model, messages
    )
    cached = runtime.cache.get(key) if runtime.cache else None
    if cached is not None:
        try:
            spec = agent.spec_type.model_validate(cached.spec, context=context)
        except ValidationError:
            cached = None
        else:
            report.source = "cache"
            report.seconds = round(time.perf_counter() - started, 4)
            spent = cached.prompt_tokens + cached.completion_tokens
            return AgentOutcome(spec, report, full_tokens, 0, cached_tokens=spent)
    usage = Usage()
    client = instructor.patch(
        create=_counting(runtime.create, usage), mode=settings.instructor_mode()
    )
    try:
        spec = client(
            model=settings.model,
            messages=messages,
            response_model=agent.spec_type,
            max_tokens=runtime.token_budget - prompt_estimate,
            max_retries=settings.validation_retries,
            context=context,
            temperature=0,
        )
    except (
        InstructorRetryException,
        IncompleteOutputException,
        openai.OpenAIError,
        ValidationError,
        ValueError,
    ) as error:
        reason = _reason(error)
        if reason == UNREACHABLE:
            runtime.endpoint_down.set()
        return fallback(reason, usage)
    # A plain copy of the spec, without instructor's raw response attached.
    spec = agent.spec_type.model_validate(spec.model_dump(mode="json"), context=context)
    report.prompt_tokens, report.completion_tokens = usage.prompt_tokens, usage.completion_tokens
    report.requests = usage.requests
    report.retries = max(usage.requests - 1, 0)
    report.cost_usd = cost_usd(
        runtime.prices, settings.model, usage.prompt_tokens, usage.completion_tokens
    )
    report.seconds = round(time.perf_counter() - started, 4)
    if runtime.cache is not None:
        runtime.cache.put(
            key,
            CachedResult(
                spec.model_dump(mode="json"), usage.prompt_tokens, usage.completion_tokens
            ),
        )
    return AgentOutcome(spec, report, full_tokens, prompt_estimate)
