"""Fan-out of the ``core_backend`` agent: one request per group of entities, merged.

A large domain makes one long answer, and a model writes one token after another: the core
spec, on every other agent's critical path, is the slowest request of a run. Split into groups
of entities, the groups are asked in parallel, each within the token budget, each cached and
falling back to its own blueprint alone; the merged spec is validated as a whole.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pydantic import ValidationError

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.core_backend import CoreBackendSpec, EnumSpec
from backendgen.agents.registry import AgentDefinition
from backendgen.llm.fallback_reasons import one_line
from backendgen.llm.report import AgentReport
from backendgen.llm.runtime import AgentOutcome, LlmRuntime

RunAgent = Callable[[AgentDefinition, BlueprintInput, LlmRuntime], AgentOutcome]

Item = TypeVar("Item")


def balanced_chunks(items: Sequence[Item], size: int) -> list[list[Item]]:
    """Split ``items`` in order into as few chunks of at most ``size`` as possible, balanced.

    Args:
        items: What to split.
        size: Most items per chunk (at least 1).

    Returns:
        Chunks whose sizes differ by at most one; none for no items.
    """
    if not items:
        return []
    count = -(-len(items) // max(1, size))
    base, larger = divmod(len(items), count)
    chunks: list[list[Item]] = []
    start = 0
    for index in range(count):
        end = start + base + (index < larger)
        chunks.append(list(items[start:end]))
        start = end
    return chunks


def entity_groups(source: BlueprintInput, size: int) -> list[BlueprintInput]:
    """Split ``source``'s domain into balanced inputs of at most ``size`` entities, in order.

    Args:
        source: The whole domain's input.
        size: Most entities per group.

    Returns:
        One input per group; each knows the other groups' entity names as external.
    """
    names = tuple(e.name for e in source.domain.entities)
    groups: list[BlueprintInput] = []
    for members in balanced_chunks(source.domain.entities, size):
        member_names = {e.name for e in members}
        groups.append(
            dataclasses.replace(
                source,
                domain=source.domain.model_copy(update={"entities": members}),
                external=tuple(n for n in names if n not in member_names),
            )
        )
    return groups


def _merged_enums(specs: list[CoreBackendSpec]) -> list[EnumSpec]:
    enums: dict[str, EnumSpec] = {}
    for spec in specs:
        for enum in spec.enums:
            enums.setdefault(enum.name, enum)
    return list(enums.values())


def _merged_report(name: str, parts: list[AgentOutcome], seconds: float) -> AgentReport:
    reports = [p.report for p in parts]
    sources = {r.source for r in reports}
    distinct = {r.fallback_reason for r in reports}
    failed = [(i, r) for i, r in enumerate(reports, start=1) if r.fallback_reason]
    if len(distinct) == 1:  # every group alike: one reason, e.g. an unreachable endpoint
        reason = next(iter(distinct))
    elif failed:  # the first failure names the cause; the count says how far it went
        index, first = failed[0]
        reason = (
            f"{len(failed)} of {len(reports)} entity groups fell back, "
            f"first group {index}: {first.fallback_reason}"
        )
    else:
        reason = None
    return AgentReport(
        name=name,
        source="llm" if "llm" in sources else ("cache" if sources == {"cache"} else "blueprint"),
        model=reports[0].model,
        fallback_reason=one_line(reason) if reason else None,
        prompt_tokens=sum(r.prompt_tokens for r in reports),
        completion_tokens=sum(r.completion_tokens for r in reports),
        requests=sum(r.requests for r in reports),
        retries=sum(r.retries for r in reports),
        replayed=sum(r.replayed for r in reports),
        cost_usd=round(sum(r.cost_usd for r in reports), 6),
        seconds=round(seconds, 4),
    )


def fan_out_core(
    agent: AgentDefinition, source: BlueprintInput, runtime: LlmRuntime, run: RunAgent
) -> AgentOutcome:
    """Run the core agent once per group of entities, in parallel, and merge the specs.

    At most ``runtime.max_parallel`` groups are in flight; the run's request queue bounds
    them together with the agents that start on the declared entities meanwhile.

    Args:
        agent: The ``core_backend`` agent.
        source: The whole domain's input.
        runtime: The LLM runtime.
        run: Runs the agent on one group (``run_llm_agent``).

    Returns:
        The merged outcome; if the merged spec is inconsistent (two groups added the same
        entity, say), the whole domain's blueprint with the reason.
    """
    started = time.perf_counter()
    groups = entity_groups(source, runtime.entities_per_request)
    with ThreadPoolExecutor(max_workers=max(1, runtime.max_parallel)) as pool:
        parts = list(pool.map(lambda group: run(agent, group, runtime), groups))
    specs = [p.spec for p in parts if isinstance(p.spec, CoreBackendSpec)]
    report = _merged_report(agent.name, parts, time.perf_counter() - started)
    outcome_tokens = {
        "full_prompt_tokens": sum(p.full_prompt_tokens for p in parts),
        "sent_prompt_tokens": sum(p.sent_prompt_tokens for p in parts),
        "cached_tokens": sum(p.cached_tokens for p in parts),
    }
    first = specs[0]
    try:
        merged = agent.spec_type.model_validate(
            {
                **first.model_dump(mode="json", exclude={"entities", "enums"}),
                "entities": [e.model_dump(mode="json") for s in specs for e in s.entities],
                "enums": [e.model_dump(mode="json") for e in _merged_enums(specs)],
            },
            context=source.validation_context(),
        )
    except ValidationError as error:
        blueprint = agent.spec_type.model_validate(
            agent.blueprint(source).model_dump(mode="json"), context=source.validation_context()
        )
        report.source = "blueprint"
        report.fallback_reason = one_line(f"merged groups are inconsistent: {_first_error(error)}")
        return AgentOutcome(blueprint, report, outcome_tokens["full_prompt_tokens"], 0)
    return AgentOutcome(merged, report, **outcome_tokens)


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    return str(first.get("msg", error)).splitlines()[0]
