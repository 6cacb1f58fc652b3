"""DAG scheduling of the agents: each starts when its dependencies finish.

Agents run in worker threads, at most ``max_parallel`` at once; their results are handed to
``commit`` strictly in the registry's topological order, so the project's history is the same
whatever order the agents finish in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from backendgen.agents.registry import AgentDefinition
from backendgen.agents.spec_base import SlotSpec

Outcome = TypeVar("Outcome")

Recheck = Callable[
    [AgentDefinition, Outcome, Mapping[str, SlotSpec], Mapping[str, SlotSpec]], Outcome
]
"""Given an agent's outcome on declared specs, the specs it read and the real ones, the
outcome that stands (the same, or the agent run again on the real specs)."""


def run_dag(
    agents: Sequence[AgentDefinition],
    run_one: Callable[[AgentDefinition, Mapping[str, SlotSpec]], Outcome],
    spec_of: Callable[[Outcome], SlotSpec],
    commit: Callable[[AgentDefinition, Outcome], None],
    max_parallel: int,
    *,
    declared: Mapping[str, SlotSpec] | None = None,
    prelude: Callable[[], None] | None = None,
    recheck: Recheck[Outcome] | None = None,
) -> dict[str, Outcome]:
    """Run every agent as soon as its dependencies are done; commit in topological order.

    A ``prelude`` (the scaffold the commits go on) runs in a worker thread while the agents
    run; the first commit waits for it, and its error ends the run.

    An agent that needs only the declared part of a dependency (``starts_on_declared``, e.g.
    the entity list of the core spec, which the core agent must keep) starts at once on
    ``declared[dependency]`` instead of waiting for that dependency's answer. An agent that
    speculates on a dependency (``speculates_on``) starts on it too; once the answer comes,
    ``recheck`` keeps its outcome or runs it again on the answer (by default: again unless the
    answer equals the declared spec).

    Args:
        agents: Agents in a topological order (dependencies first).
        run_one: Produces one agent's outcome from its dependencies' specs (blocking).
        spec_of: Extracts the spec from an outcome.
        commit: Called once per agent, in ``agents`` order, with its outcome (blocking).
        max_parallel: Most ``run_one`` calls in flight at once.
        declared: The declared part of dependencies, by agent name (None: always wait).
        prelude: Work the commits need done first, run alongside the agents (blocking).
        recheck: Settles a speculative outcome once the real dependencies are known
            (blocking; it holds one of the ``max_parallel`` slots).

    Returns:
        Outcomes by agent name.
    """

    async def main() -> dict[str, Outcome]:
        slots = asyncio.Semaphore(max_parallel)
        tasks: dict[str, asyncio.Task[Outcome]] = {}

        async def run(agent: AgentDefinition) -> Outcome:
            upstream: dict[str, SlotSpec] = {}
            speculated: list[str] = []
            for name in agent.depends_on:
                if (
                    declared is not None
                    and name in declared
                    and name in agent.speculates_on
                    and max_parallel > 1
                ):
                    speculated.append(name)
                early = name in agent.starts_on_declared or name in speculated
                upstream[name] = (
                    declared[name] if early and declared is not None else spec_of(await tasks[name])
                )
            async with slots:
                outcome = await asyncio.to_thread(run_one, agent, upstream)
            if not speculated:
                return outcome
            real = dict(upstream)
            for name in speculated:
                real[name] = spec_of(await tasks[name])
            async with slots:
                return await asyncio.to_thread(settle, agent, outcome, upstream, real)

        def rerun_unless_equal(
            agent: AgentDefinition,
            outcome: Outcome,
            early: Mapping[str, SlotSpec],
            real: Mapping[str, SlotSpec],
        ) -> Outcome:
            return outcome if dict(early) == dict(real) else run_one(agent, real)

        settle = recheck or rerun_unless_equal

        ready = asyncio.create_task(asyncio.to_thread(prelude)) if prelude is not None else None
        for agent in agents:
            tasks[agent.name] = asyncio.create_task(run(agent), name=agent.name)
        outcomes: dict[str, Outcome] = {}
        try:
            if ready is not None:
                await ready
            for agent in agents:
                outcomes[agent.name] = await tasks[agent.name]
                await asyncio.to_thread(commit, agent, outcomes[agent.name])
        finally:
            pending = [*tasks.values(), *([ready] if ready is not None else [])]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        return outcomes

    return asyncio.run(main())
