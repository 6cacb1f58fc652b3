"""Measured cost savings: tokens that caching and context compression kept from the model."""

from __future__ import annotations

from collections.abc import Sequence

from backendgen.llm.runtime import AgentOutcome


def measured_savings(outcomes: Sequence[AgentOutcome]) -> dict[str, float | int]:
    """Compare this run's tokens with the same run uncached and uncompressed.

    A cache hit avoids the whole request (the tokens it cost when it was made); a compressed
    prompt avoids the difference to the full prompt on every request it was sent. Blueprint
    agents made no request either way and count on neither side.

    Args:
        outcomes: Every agent's outcome.

    Returns:
        ``tokens_used``, ``tokens_avoided`` and ``percentage`` (of the naive run's tokens).
    """
    used = avoided = 0
    for outcome in outcomes:
        report = outcome.report
        used += report.prompt_tokens + report.completion_tokens
        if report.source == "cache":
            avoided += outcome.cached_tokens
        elif report.source == "llm":
            avoided += max(outcome.full_prompt_tokens - outcome.sent_prompt_tokens, 0) * max(
                report.requests, 1
            )
    naive = used + avoided
    return {
        "tokens_used": used,
        "tokens_avoided": avoided,
        "percentage": round(100 * avoided / naive, 1) if naive else 0.0,
    }
