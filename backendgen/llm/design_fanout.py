"""A large domain designed in parts: an outline first, then the entities' details in batches.

One answer of forty entities is a long wait on one stream, and past a few dozen entities it
outgrows a model's answer. So a large design asks first for an outline (entity names, one-line
purposes, relationships, enums, roles), then for the details of the entities (fields, rules,
samples, retention) in batches, in parallel: at most ``runtime.max_parallel`` at once, within
the run's request queue, budget, spend cap and timeout, each cached and re-asked on its own.
The batches are merged and validated as any designed domain. A part that fails for good ends
the design with one line naming it; nothing is written then.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import ValidationError

from backendgen.domain.declared import DomainSpec
from backendgen.llm.ask import Asked, ask_typed
from backendgen.llm.design_models import (
    MAX_DESIGNED_ENTITIES,
    DesignedDomain,
    DomainOutline,
    EntityBatch,
    batch_entities,
)
from backendgen.llm.design_outcome import (
    DESIGNER,
    Design,
    design_budget,
    design_report,
    no_design,
)
from backendgen.llm.fallback_reasons import validation_summary
from backendgen.llm.fanout import balanced_chunks
from backendgen.llm.runtime import LlmRuntime

OUTLINE_SYSTEM = (
    "You are the core_backend agent of backendgen, a generator of production-grade backends. "
    "Outline the business domain the user describes as one JSON object of the requested "
    "schema, and nothing else: every entity (PascalCase, singular) with its purpose in one "
    "line and its relationships to the other entities, the enums (UPPER_SNAKE_CASE values) "
    "its fields will need, and the roles (the first is the administrator) with their "
    "permissions per entity. No fields yet: they are asked for next, a few entities at a "
    f"time. At most {MAX_DESIGNED_ENTITIES} entities."
)

BATCH_SYSTEM = (
    "You are the core_backend agent of backendgen. The domain below is outlined; detail "
    "exactly the entities named in 'detail', in that order, as one JSON object of the "
    "requested schema: typed, constrained fields (snake_case; string fields need max_length; "
    "never id, created_at, updated_at or a relationship's name or column), pii/phi flags on "
    "personal and health data, business rules in one sentence each, one valid sample create "
    "payload per entity (fields only, no relationship ids), and retention in days for the "
    "entities holding personal data. Use the outline's enums, or declare new ones."
)


def _dumped(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def outline_messages(description: str, compliance: list[str]) -> list[dict[str, str]]:
    """The chat messages asking for a large domain's outline.

    Args:
        description: The user's prose.
        compliance: Regimes chosen.

    Returns:
        System and user messages.
    """
    context = {"description": description, "compliance": compliance}
    return [
        {"role": "system", "content": OUTLINE_SYSTEM},
        {"role": "user", "content": _dumped(context)},
    ]


def batch_messages(
    description: str, compliance: list[str], outline: DomainOutline, names: list[str]
) -> list[dict[str, str]]:
    """The chat messages asking for the details of the entities ``names`` of ``outline``.

    Args:
        description: The user's prose.
        compliance: Regimes chosen.
        outline: The validated outline (the same one replays the same requests).
        names: The batch's entities, in order.

    Returns:
        System and user messages.
    """
    context = {
        "description": description,
        "compliance": compliance,
        "outline": outline.model_dump(mode="json", exclude={"roles", "glossary"}),
        "detail": names,
    }
    return [
        {"role": "system", "content": BATCH_SYSTEM},
        {"role": "user", "content": _dumped(context)},
    ]


def _merge(outline: DomainOutline, batches: list[EntityBatch]) -> dict[str, Any]:
    enums = {e.name: e for e in outline.enums}
    for batch in batches:
        for enum in batch.enums:
            enums.setdefault(enum.name, enum)
    return {
        "title": outline.title,
        "summary": outline.summary,
        "entities": [
            e.model_dump(mode="json") for batch in batches for e in batch_entities(outline, batch)
        ],
        "enums": [e.model_dump(mode="json") for e in enums.values()],
        "roles": [r.model_dump(mode="json", exclude_defaults=True) for r in outline.roles],
        "glossary": dict(outline.glossary),
        "samples": {k: v for batch in batches for k, v in batch.samples.items()},
        "retention": {k: v for batch in batches for k, v in batch.retention.items()},
    }


def design_in_batches(description: str, compliance: list[str], runtime: LlmRuntime) -> Design:
    """Design a large domain: an outline, then its entities' details in parallel batches.

    Args:
        description: The user's prose (already checked for length).
        compliance: The chosen compliance regimes.
        runtime: The LLM runtime; ``entities_per_request`` entities per batch and at most
            ``max_parallel`` batches in flight.

    Returns:
        The merged, validated domain, the report of every request, and the renames.

    Raises:
        UserInputError: When the outline, a batch or the merge fails for good; the line names
            which part and why. Nothing has been written then.
    """
    started = time.perf_counter()
    budget = design_budget(runtime)
    outline_context: dict[str, Any] = {"warnings": []}
    asked_outline = ask_typed(
        runtime,
        DESIGNER,
        outline_messages(description, compliance),
        DomainOutline,
        budget=budget,
        context=outline_context,
    )
    if asked_outline.value is None:
        raise no_design(f"outline: {asked_outline.reason}")
    outline = DomainOutline.model_validate(asked_outline.value.model_dump(mode="json"))
    names = [e.name for e in outline.entities]
    chunks = balanced_chunks(names, max(1, runtime.entities_per_request))
    contexts = [{"warnings": [], "outline": outline, "names": chunk} for chunk in chunks]

    def ask(index: int) -> Asked[EntityBatch]:
        return ask_typed(
            runtime,
            DESIGNER,
            batch_messages(description, compliance, outline, chunks[index]),
            EntityBatch,
            budget=budget,
            context=contexts[index],
        )

    with ThreadPoolExecutor(max_workers=max(1, runtime.max_parallel)) as pool:
        answers = list(pool.map(ask, range(len(chunks))))  # all asked: a rerun replays all
    usages = [asked_outline.usage, *(a.usage for a in answers)]
    failed = [(i, a) for i, a in enumerate(answers) if a.value is None]
    if failed:
        index, first = failed[0]
        shown = ", ".join(chunks[index])
        raise no_design(
            f"entity batch {index + 1} of {len(chunks)} ({shown}): {first.reason}"
            + (f" ({len(failed)} batches failed)" if len(failed) > 1 else "")
        )
    batches = [a.value for a in answers if a.value is not None]
    merge_context: dict[str, Any] = {"warnings": [], "max_entities": MAX_DESIGNED_ENTITIES}
    try:
        designed = DesignedDomain.model_validate(_merge(outline, batches), context=merge_context)
    except ValidationError as error:
        raise no_design(f"merged batches are inconsistent: {validation_summary(error)}") from None
    warnings = [w for c in (outline_context, *contexts) for w in c["warnings"]]
    domain = DomainSpec.model_validate(designed.model_dump(mode="json"))
    return Design(
        domain, design_report(runtime, usages, started), warnings + merge_context["warnings"]
    )
