"""The core agent designs the domain from prose (``backendgen new DEST --describe TEXT``).

The model answers with a domain spec, the very format of ``--domain FILE``: entities with
typed and constrained fields, enums, relationships, rules, roles, PII/PHI flags, samples and
retention. Its answer goes through the rename policy for reserved names, the bounds of a
designed domain and the domain file's own validation; every error is sent back for a re-ask.
A model that never gives a valid design ends the run with one line, before anything is
written: there is no blueprint of a domain no one has described.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import ValidationError, ValidationInfo, model_validator

from backendgen.domain.declared import DomainSpec
from backendgen.domain.rename import map_reserved_names
from backendgen.errors import LlmRequestError, UserInputError
from backendgen.llm.fallback_reasons import fallback_reason
from backendgen.llm.pricing import cost_usd
from backendgen.llm.replay import Usage, gated_create
from backendgen.llm.report import AgentReport
from backendgen.llm.runtime import LlmRuntime
from backendgen.renderers import reserved_member_names

DESIGNER = "domain_design"
"""The name the design request is cached and reported under."""

MAX_DESIGNED_ENTITIES = 24
"""Most entities of a designed domain."""

MAX_DESCRIPTION_CHARS = 4000
"""Longest description accepted."""

DESIGN_TOKEN_BUDGET = 12000
"""Least token budget of the design request (a whole domain is a long answer)."""

SYSTEM = (
    "You are the core_backend agent of backendgen, a generator of production-grade backends. "
    "Design the business domain the user describes as one JSON object of the requested "
    "schema, and nothing else: entities (PascalCase) with typed, constrained fields "
    "(snake_case; string fields need max_length), enums (UPPER_SNAKE_CASE values), "
    "relationships between the entities, business rules in one sentence each, roles (the "
    "first is the administrator) with their permissions per entity, pii/phi flags on personal "
    "and health data, one valid sample create payload per entity, and retention in days for "
    "entities holding personal data. Describe the domain, never a framework: no code. "
    f"At most {MAX_DESIGNED_ENTITIES} entities."
)


def _unknown_entity_keys(domain: DomainSpec) -> list[str]:
    names = {e.name for e in domain.entities}
    keyed: list[tuple[str, list[str]]] = [
        ("samples", list(domain.samples)),
        ("retention", list(domain.retention)),
        *((f"role {r.name}", [k for k in r.permissions if k != "*"]) for r in domain.roles),
    ]
    known = ", ".join(sorted(names))
    return [
        f"{what} names unknown entity '{key}' (known: {known})"
        for what, keys in keyed
        for key in keys
        if key not in names
    ]


class DesignedDomain(DomainSpec):
    """A domain spec as designed by the model: renamed, bounded and cross-checked."""

    @model_validator(mode="before")
    @classmethod
    def _rename_reserved(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        renamed = copy.deepcopy(data)
        warnings = map_reserved_names(renamed, reserved_member_names())
        if isinstance(info.context, dict) and isinstance(info.context.get("warnings"), list):
            info.context["warnings"][:] = warnings
        return renamed

    @model_validator(mode="after")
    def _bounded_and_consistent(self) -> DesignedDomain:
        if len(self.entities) > MAX_DESIGNED_ENTITIES:
            raise ValueError(
                f"{len(self.entities)} entities: a designed domain has at most "
                f"{MAX_DESIGNED_ENTITIES}"
            )
        self.check_references()  # relationships and enum references resolve
        problems = _unknown_entity_keys(self)
        if problems:
            raise ValueError("; ".join(problems[:3]))
        return self


@dataclass
class Design:
    """A designed domain and what designing it cost."""

    domain: DomainSpec
    report: AgentReport
    warnings: list[str] = field(default_factory=list)


def design_messages(description: str, compliance: list[str]) -> list[dict[str, str]]:
    """The chat messages asking for a domain.

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
    started = time.perf_counter()
    settings = runtime.settings
    messages = design_messages(text, compliance)
    usage = Usage()
    prompt_estimate = sum(len(m["content"]) for m in messages) // 3 + 8
    client = instructor.patch(
        create=gated_create(runtime, DESIGNER, usage, prompt_estimate),
        mode=settings.instructor_mode(),
    )
    context: dict[str, Any] = {"warnings": []}
    try:
        designed = client(
            model=settings.model,
            messages=messages,
            response_model=DesignedDomain,
            max_tokens=max(runtime.token_budget, DESIGN_TOKEN_BUDGET) - prompt_estimate,
            max_retries=settings.validation_retries,
            context=context,
            temperature=0,
        )
    except (
        InstructorRetryException,
        IncompleteOutputException,
        openai.OpenAIError,
        LlmRequestError,
        ValidationError,
        ValueError,
    ) as error:
        reason = fallback_reason(
            error, endpoint=settings.base_url, timeout=settings.timeout_seconds
        )
        raise UserInputError(f"--describe: no domain designed, nothing written: {reason}") from None
    domain = DomainSpec.model_validate(designed.model_dump(mode="json"))
    report = AgentReport(
        name=DESIGNER,
        source="cache" if usage.requests == 0 and usage.replayed else "llm",
        model=settings.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=cost_usd(
            runtime.prices, settings.model, usage.prompt_tokens, usage.completion_tokens
        ),
        seconds=round(time.perf_counter() - started, 4),
        requests=usage.requests,
        retries=max(usage.requests + usage.replayed - 1, 0),
        replayed=usage.replayed,
    )
    return Design(domain, report, list(context["warnings"]))
