"""The one re-ask loop of backendgen's LLM requests: agents and the domain designer share it.

Every typed request goes through :func:`ask_typed`: the run's endpoint state, the token
budget, the replay cache and the spend cap (:func:`~backendgen.llm.replay.gated_create`), and
instructor's re-asks with the validation errors. A request that yields no valid answer comes
back with a reason a person can read, never an exception.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from backendgen.errors import LlmRequestError
from backendgen.llm.fallback_reasons import fallback_reason
from backendgen.llm.replay import Usage, gated_create
from backendgen.llm.runtime import UNREACHABLE, LlmRuntime

# instructor logs every failed attempt at ERROR; backendgen reports them itself, once.
logging.getLogger("instructor").addHandler(logging.NullHandler())
logging.getLogger("instructor").propagate = False

CHARS_PER_TOKEN = 3.5
"""Offline prompt-size estimate: JSON-heavy prompts run about 3.5 characters a token."""

MIN_COMPLETION_TOKENS = 256
"""A request whose budget leaves less than this for the answer is not sent."""

Model = TypeVar("Model", bound=BaseModel)

_FAILURES = (
    InstructorRetryException,
    IncompleteOutputException,
    openai.OpenAIError,
    LlmRequestError,
    ValidationError,
    ValueError,
)
"""What a typed request may end with instead of an answer."""


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """Estimate a prompt's tokens without a tokenizer (nothing downloads at run time).

    Args:
        messages: Chat messages.

    Returns:
        Estimated prompt tokens, including a few per message for the chat framing.
    """
    chars = sum(len(m["content"]) for m in messages)
    return math.ceil(chars / CHARS_PER_TOKEN) + 4 * len(messages)


def budget_problem(prompt_estimate: int, budget: int) -> str | None:
    """Why a prompt of ``prompt_estimate`` tokens cannot be sent within ``budget``, if so."""
    if prompt_estimate + MIN_COMPLETION_TOKENS <= budget:
        return None
    return (
        f"prompt of ~{prompt_estimate} tokens exceeds the budget of {budget} tokens even "
        "compressed (raise --token-budget)"
    )


@dataclass
class Asked(Generic[Model]):
    """What one typed request (its first ask and re-asks) gave."""

    value: Model | None
    """The validated answer; None when there is none."""
    reason: str | None
    """Why there is no answer (one line); None with an answer."""
    usage: Usage = field(default_factory=Usage)
    """Requests, replays and tokens of every attempt."""
    sent: bool = True
    """Whether the request was attempted (False: endpoint down or over budget)."""


def ask_typed(
    runtime: LlmRuntime,
    name: str,
    messages: list[dict[str, str]],
    response_model: type[Model],
    *,
    budget: int,
    context: dict[str, Any] | None = None,
) -> Asked[Model]:
    """Ask for one ``response_model``, re-asking with the validation errors.

    Args:
        runtime: The run's provider, cache, spend cap, queue and endpoint state.
        name: Who asks (the cache and ``--refresh-agent`` know requests by it).
        messages: The chat messages.
        response_model: The pydantic model the answer must validate as.
        budget: Prompt plus completion tokens the request may use.
        context: The validation context (cross-checks read it; validators may write to it).

    Returns:
        The answer, or the reason there is none: validation errors, the budget, the spend
        cap, the timeout, an HTTP status, a refusal or the unreachable endpoint.
    """
    settings = runtime.settings
    if runtime.endpoint_down.is_set():
        return Asked(None, runtime.endpoint_down.reason or UNREACHABLE, sent=False)
    prompt_estimate = estimate_tokens(messages)
    too_big = budget_problem(prompt_estimate, budget)
    if too_big is not None:
        return Asked(None, too_big, sent=False)
    usage = Usage()
    client = instructor.patch(
        create=gated_create(runtime, name, usage, prompt_estimate),
        mode=settings.instructor_mode(),
    )
    try:
        value = client(
            model=settings.model,
            messages=messages,
            response_model=response_model,
            max_tokens=budget - prompt_estimate,
            max_retries=settings.validation_retries,
            context=context,
            temperature=0,
        )
    except _FAILURES as error:
        reason = fallback_reason(
            error, endpoint=settings.base_url, timeout=settings.timeout_seconds
        )
        if reason.startswith(UNREACHABLE):
            runtime.endpoint_down.set(reason)
        return Asked(None, reason, usage)
    return Asked(value, None, usage)
