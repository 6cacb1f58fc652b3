"""The core agent designs the domain from prose (``backendgen new DEST --describe TEXT``).

The model answers with a domain spec, the very format of ``--domain FILE``: entities with
typed and constrained fields, enums, relationships, rules, roles, PII/PHI flags, samples and
retention. A description that lists many things fans out
(:mod:`backendgen.llm.design_fanout`): an outline first, then the entities' details in
parallel batches. Every answer goes through the rename policy for reserved names, the bounds
of a designed domain and the domain file's own validation; every error is sent back for a
re-ask. A model that never gives a valid design ends the run with one line, before anything
is written: there is no blueprint of a domain no one has described.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from backendgen.domain.declared import DomainSpec
from backendgen.errors import UserInputError
from backendgen.llm.ask import ask_typed
from backendgen.llm.design_models import (
    MAX_DESIGNED_ENTITIES,
    MAX_SINGLE_DESIGN_ENTITIES,
    DesignedDomain,
)
from backendgen.llm.design_outcome import (
    DESIGNER,
    Design,
    design_budget,
    design_report,
    no_design,
)
from backendgen.llm.runtime import LlmRuntime

__all__ = [
    "DESIGNER",
    "MAX_DESCRIPTION_CHARS",
    "MAX_DESIGNED_ENTITIES",
    "MAX_SINGLE_DESIGN_ENTITIES",
    "Design",
    "design_domain",
    "fans_out",
]

MAX_DESCRIPTION_CHARS = 4000
"""Longest description accepted."""

FAN_OUT_ITEMS = 16
"""A description listing more things than this is designed in an outline and batches."""

SYSTEM = (
    "You are the core_backend agent of backendgen, a generator of production-grade backends. "
    "Design the business domain the user describes as one JSON object of the requested "
    "schema, and nothing else: entities (PascalCase) with typed, constrained fields "
    "(snake_case; string fields need max_length), enums (UPPER_SNAKE_CASE values), "
    "relationships between the entities, business rules in one sentence each, roles (the "
    "first is the administrator) with their permissions per entity, pii/phi flags on personal "
    "and health data, one valid sample create payload per entity, and retention in days for "
    "entities holding personal data. Describe the domain, never a framework: no code. "
    f"At most {MAX_SINGLE_DESIGN_ENTITIES} entities."
)

_ITEM_SEPARATORS = re.compile(r"[,;:\n]|\band\b|\bor\b", re.IGNORECASE)


def fans_out(description: str) -> bool:
    """Whether a description is designed in an outline and batches rather than one request.

    Args:
        description: The user's prose.

    Returns:
        True when it lists more than :data:`FAN_OUT_ITEMS` things (comma, semicolon, colon,
        line, "and" or "or" separated).
    """
    items = [part for part in _ITEM_SEPARATORS.split(description) if part.strip()]
    return len(items) > FAN_OUT_ITEMS


def design_messages(description: str, compliance: list[str]) -> list[dict[str, str]]:
    """The chat messages asking for a whole domain in one answer.

    Args:
        description: The user's prose.
        compliance: Regimes chosen (PII/PHI flags and retention matter for them).

    Returns:
        System and user messages.
    """
    context = {"description": description, "compliance": compliance}
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": json.dumps(context, separators=(",", ":"), sort_keys=True)},
    ]


def design_domain(description: str, compliance: list[str], runtime: LlmRuntime) -> Design:
    """Ask the model for the domain the description tells of.

    Args:
        description: The user's prose (``--describe``).
        compliance: The chosen compliance regimes.
        runtime: The LLM runtime (cache, spend cap and re-asks as for every agent).

    Returns:
        The validated domain, its report and one warning per reserved name renamed.

    Raises:
        UserInputError: For an empty or overlong description, or when no valid design came
            back (the reason names why); nothing has been written then.
    """
    text = description.strip()
    if not text:
        raise UserInputError("--describe needs a description of the domain")
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise UserInputError(f"--describe: at most {MAX_DESCRIPTION_CHARS} characters")
    if fans_out(text):
        from backendgen.llm.design_fanout import design_in_batches

        return design_in_batches(text, compliance, runtime)
    started = time.perf_counter()
    context: dict[str, Any] = {"warnings": []}
    asked = ask_typed(
        runtime,
        DESIGNER,
        design_messages(text, compliance),
        DesignedDomain,
        budget=design_budget(runtime),
        context=context,
    )
    if asked.value is None:
        raise no_design(asked.reason or "no answer")
    domain = DomainSpec.model_validate(asked.value.model_dump(mode="json"))
    return Design(domain, design_report(runtime, [asked.usage], started), list(context["warnings"]))
