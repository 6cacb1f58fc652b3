"""What an LLM agent run needs and what it yields, without loading the LLM stack.

:mod:`backendgen.llm.llm_agent` imports ``openai`` and ``instructor``; the pipeline imports
it only when a provider other than ``blueprint`` is chosen, so offline runs start faster.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from backendgen.agents.spec_base import SlotSpec
from backendgen.llm.llm_cache import LlmCache
from backendgen.llm.pricing import Price
from backendgen.llm.providers import LlmSettings, RawCreate
from backendgen.llm.report import AgentReport
from backendgen.llm.request_queue import RequestQueue
from backendgen.llm.spend import SpendLedger

UNREACHABLE = "endpoint unreachable"
"""How the fallback reason begins when no connection to the endpoint could be made."""


class EndpointState:
    """Set once the endpoint proved unreachable: later agents fall back without trying."""

    def __init__(self) -> None:
        """Start reachable."""
        self._down = threading.Event()
        self.reason = ""

    def set(self, reason: str) -> None:
        """Mark the endpoint down, with the reason every later agent reports."""
        self.reason = reason
        self._down.set()

    def is_set(self) -> bool:
        """Whether the endpoint is down."""
        return self._down.is_set()


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
    endpoint_down: EndpointState = field(default_factory=EndpointState)
    """Set once the endpoint proved unreachable: later agents fall back without trying."""
    queue: RequestQueue | None = None
    """Bounds the run's requests in flight (``max_parallel``), re-asks first; None: unbounded."""
    spend: SpendLedger = field(default_factory=SpendLedger)
    """The run's measured spend against ``--max-cost``."""
    on_tokens: Callable[[str, int], None] | None = None
    """Receives ``(agent, tokens)`` as an answer streams in; None asks for whole answers."""
    refresh_agents: frozenset[str] = frozenset()
    """Agents whose cached answers are not replayed (``--refresh-agent``); new ones are stored."""


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
