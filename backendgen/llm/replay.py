"""Every LLM request of an agent goes through here: replay cache, spend cap, usage, refusals.

instructor calls the wrapped ``create`` once per attempt (the first ask and each re-ask), so
each attempt is replayed from the cache or sent, priced, and stored on its own.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat import ChatCompletion

from backendgen.errors import ModelRefusalError
from backendgen.llm.llm_cache import request_key
from backendgen.llm.pricing import cost_usd
from backendgen.llm.providers import RawCreate
from backendgen.llm.request_queue import FIRST_ASK, REASK
from backendgen.llm.runtime import LlmRuntime

STREAM_CHARS_PER_TOKEN = 4
"""Streamed characters per token, to count an answer's tokens while it arrives."""

PROMPT_ESTIMATE_MARGIN = 2.0
"""The prompt estimate (characters / 3.5) is doubled in the worst case a request reserves."""


@dataclass
class Usage:
    """Requests and tokens of one agent: sent ones, and ones replayed from the cache."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    replayed: int = 0
    """Answers replayed from the cache (no request sent)."""
    replayed_tokens: int = 0
    """What the replayed answers cost when they were first asked for, in tokens."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, response: Any, *, replayed: bool = False) -> tuple[int, int]:
        """Add one answer's usage; return its ``(prompt, completion)`` tokens."""
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0) if usage is not None else 0
        completion = int(getattr(usage, "completion_tokens", 0) or 0) if usage is not None else 0
        with self.lock:
            if replayed:
                self.replayed += 1
                self.replayed_tokens += prompt + completion
            else:
                self.requests += 1
                self.prompt_tokens += prompt
                self.completion_tokens += completion
        return prompt, completion


def _refusal(response: Any) -> str | None:
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    refusal = getattr(message, "refusal", None)
    return str(refusal) if refusal else None


def _send(runtime: LlmRuntime, agent: str, kwargs: dict[str, Any]) -> Any:
    """Send one request; streamed when someone follows the tokens (OpenAI-compatible only)."""
    listener = runtime.on_tokens
    if listener is None or runtime.settings.provider != "openai":
        return runtime.create(**kwargs)
    from openai.lib.streaming.chat import ChatCompletionStreamState

    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    chars = told = 0
    for chunk in runtime.create(**kwargs, stream=True, stream_options={"include_usage": True}):
        state.handle_chunk(chunk)
        for choice in chunk.choices:
            delta = choice.delta
            chars += len(delta.content or "")
            chars += sum(
                len((c.function and c.function.arguments) or "") for c in delta.tool_calls or []
            )
        estimate = chars // STREAM_CHARS_PER_TOKEN
        if estimate > told:
            listener(agent, estimate - told)
            told = estimate
    return state.get_final_completion()


def gated_create(runtime: LlmRuntime, agent: str, usage: Usage, prompt_estimate: int) -> RawCreate:
    """Wrap ``runtime.create`` for one agent.

    Args:
        runtime: Provider, cache, prices and the run's spend ledger.
        agent: The agent asking (``--refresh-agent`` names skip its cache reads).
        usage: Receives each answer's usage.
        prompt_estimate: Estimated prompt tokens, for the worst-case cost a request reserves.

    Returns:
        A ``create`` that replays a cached answer, or sends the request within the spend cap
        and stores its answer.

    Raises:
        SpendCapError: (from the returned callable) when the cap admits no more requests.
        ModelRefusalError: (from the returned callable) when the answer is a refusal.
    """
    settings = runtime.settings
    mode = settings.mode or settings.instructor_mode().value
    cache = runtime.cache
    read_cache = cache is not None and agent not in runtime.refresh_agents

    attempts = itertools.count()

    def create(**kwargs: Any) -> Any:
        priority = FIRST_ASK if next(attempts) == 0 else REASK
        key = request_key(settings.provider, settings.model, str(mode), kwargs)
        stored = cache.get(key) if read_cache and cache is not None else None
        if stored is not None:
            try:
                response: Any = ChatCompletion.model_validate(stored)
            except ValueError:
                stored = None
            else:
                usage.record(response, replayed=True)
        if stored is None:
            worst = cost_usd(
                runtime.prices,
                settings.model,
                int(prompt_estimate * PROMPT_ESTIMATE_MARGIN),
                int(kwargs.get("max_tokens") or 0),
            )
            reservation = runtime.spend.reserve(worst)
            actual = 0.0
            try:
                with runtime.queue.slot(priority) if runtime.queue else nullcontext():
                    response = _send(runtime, agent, kwargs)
                prompt, completion = usage.record(response)
                actual = cost_usd(runtime.prices, settings.model, prompt, completion)
            finally:
                runtime.spend.settle(reservation, actual)
            if cache is not None:
                cache.put(key, response.model_dump(mode="json"))
        refusal = _refusal(response)
        if refusal is not None:
            raise ModelRefusalError(f"the model refused: {refusal}")
        return response

    return create
