"""What an LLM agent run needs and what it yields, without loading the LLM stack.

:mod:`backendgen.agents.llm_agent` imports ``openai`` and ``instructor``; the pipeline imports
it only when a provider other than ``blueprint`` is chosen, so offline runs start faster.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from backendgen.agents.providers import LlmSettings, RawCreate
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.llm_cache import LlmCache
from backendgen.generator.pricing import Price
from backendgen.generator.report import AgentReport

UNREACHABLE = "endpoint unreachable"
"""The fallback reason when no connection to the endpoint could be made."""


@dataclass(frozen=True)
class LlmRuntime:
    """Everything an LLM agent run needs besides its input."""

    settings: LlmSettings
    create: RawCreate
    prices: dict[str, Price]
    cache: LlmCache | None
    token_budget: int = 4000
    """Prompt plus completion tokens one request may use."""
    max_parallel: int = 1
    """Most requests in flight at once (the core agent's fan-out groups included)."""
    entities_per_request: int = 4
    """The core agent asks for larger domains in groups of this many entities, in parallel."""
    endpoint_down: threading.Event = field(default_factory=threading.Event)
    """Set once the endpoint proved unreachable: later agents fall back without trying."""


@dataclass(frozen=True)
class AgentOutcome:
    """An agent's spec and report, plus what caching and compression saved."""

    spec: SlotSpec
    report: AgentReport
    full_prompt_tokens: int
    """Estimated tokens of the uncompressed prompt (what a naive run would send)."""
    sent_prompt_tokens: int
    """Estimated tokens of the prompt actually sent (0 for a cache hit or fallback)."""
    cached_tokens: int = 0
    """Tokens the cached result cost when it was first produced (cache hits only)."""
