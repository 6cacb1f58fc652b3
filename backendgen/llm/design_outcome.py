"""What a domain design yields and costs, shared by the one-request and the fanned-out design.

The single request (:mod:`backendgen.llm.domain_designer`) and the outline-and-batches fan-out
(:mod:`backendgen.llm.design_fanout`) both report under one name, sum their requests into one
report, and end a failed design with the same one-line error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from backendgen.domain.declared import DomainSpec
from backendgen.errors import UserInputError
from backendgen.llm.pricing import cost_usd
from backendgen.llm.replay import Usage
from backendgen.llm.report import AgentReport
from backendgen.llm.runtime import LlmRuntime

DESIGNER = "domain_design"
"""The name the design requests are cached and reported under."""

DESIGN_TOKEN_BUDGET = 12000
"""Least token budget of a design request (a whole domain is a long answer)."""


@dataclass
class Design:
    """A designed domain and what designing it cost."""

    domain: DomainSpec
    report: AgentReport
    warnings: list[str] = field(default_factory=list)


def design_budget(runtime: LlmRuntime) -> int:
    """Prompt plus completion tokens of one design request."""
    return max(runtime.token_budget, DESIGN_TOKEN_BUDGET)


def design_report(runtime: LlmRuntime, usages: list[Usage], started: float) -> AgentReport:
    """The design's report: every request of the design (outline and batches) summed.

    Args:
        runtime: The LLM runtime (model and prices).
        usages: One usage per typed request.
        started: ``time.perf_counter()`` when the design began.

    Returns:
        An ``llm`` report, or ``cache`` when every answer was replayed.
    """
    settings = runtime.settings
    requests = sum(u.requests for u in usages)
    replayed = sum(u.replayed for u in usages)
    prompt = sum(u.prompt_tokens for u in usages)
    completion = sum(u.completion_tokens for u in usages)
    return AgentReport(
        name=DESIGNER,
        source="cache" if requests == 0 and replayed else "llm",
        model=settings.model,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost_usd(runtime.prices, settings.model, prompt, completion),
        seconds=round(time.perf_counter() - started, 4),
        requests=requests,
        retries=max(requests + replayed - len(usages), 0),
        replayed=replayed,
    )


def no_design(reason: str) -> UserInputError:
    """The one-line error of a design that failed for good (nothing is written then)."""
    return UserInputError(f"--describe: no domain designed, nothing written: {reason}")
