"""Downstream re-runs: after one agent's slot changes, re-run the agents whose inputs changed.

An agent's inputs are its dependencies' specs, the answers it reads and the domain; their
digest is taken before and after the change. An agent downstream of the changed one whose
digest moved re-runs (its own commit, in DAG order); the others keep their stored specs and
cost nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import BUILTIN_AGENTS, AgentDefinition, agent_named
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.agent_outcome import (
    agent_commit_message,
    agent_trailers,
    blueprint_outcome,
    llm_outcome,
)
from backendgen.generator.pipeline import GenerationOptions, check_options
from backendgen.generator.progress import Progress
from backendgen.generator.project_state import (
    ProjectState,
    check_agent,
    open_project,
    upstream_specs,
)
from backendgen.generator.rerender import rerender_slot
from backendgen.generator.spec_versions import dump_slot
from backendgen.llm.report import AgentReport, Report
from backendgen.llm.runtime import AgentOutcome, LlmRuntime

ANSWERS_READ: dict[str, tuple[str, ...]] = {
    "core_backend": ("project_description", "domain", "compliance", "scale", "requirements"),
    "security_compliance": ("auth", "compliance", "domain"),
    "devops_infrastructure": ("scale", "deployment", "database", "auth", "ci_provider"),
    "monitoring_observability": ("scale", "deployment"),
    "documentation": (
        "project_name",
        "project_description",
        "database",
        "auth",
        "compliance",
        "scale",
        "deployment",
        "requirements",
    ),
    "testing_qa": ("scale",),
}
"""The answers each agent reads: those its LLM context sends (``agents/prompts.py``) and those
its blueprint uses (``agents/blueprints/``)."""


def context_digest(
    agent: AgentDefinition,
    answers: Mapping[str, Any],
    slots: Mapping[str, Any],
    domain: Mapping[str, Any],
) -> str:
    """The SHA-256 of everything ``agent`` derives its spec from.

    Args:
        agent: The agent.
        answers: Every answer, as JSON data.
        slots: Slot data by agent name.
        domain: The declared domain, as JSON data.

    Returns:
        A hex digest that changes exactly when one of the agent's inputs does.
    """
    inputs = {
        "answers": {key: answers.get(key) for key in ANSWERS_READ[agent.name]},
        "upstream": {name: slots.get(name) or {} for name in agent.depends_on},
        "domain": domain,
    }
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def downstream_of(name: str) -> list[AgentDefinition]:
    """The agents that depend on ``name``, directly or through others, in DAG order."""
    reached = {name}
    found: list[AgentDefinition] = []
    for agent in BUILTIN_AGENTS:
        if reached & set(agent.depends_on):
            reached.add(agent.name)
            found.append(agent)
    return found


def follow_ups(state: ProjectState, agents: list[AgentDefinition]) -> list[str]:
    """The commands that re-run ``agents`` once a conflict held back their turn."""
    return [f"then: backendgen regenerate {state.path} --agent {a.name}" for a in agents]


@dataclass
class Downstream:
    """What the agents downstream of a changed slot did."""

    reports: list[AgentReport] = field(default_factory=list)
    """The agents that re-ran (``commit`` is empty when their spec came out unchanged)."""
    kept: list[str] = field(default_factory=list)
    """The agents whose inputs did not change: their stored specs stay, at no cost."""


def run_agent(
    agent: AgentDefinition, source: BlueprintInput, runtime: LlmRuntime | None
) -> AgentOutcome:
    """Produce ``agent``'s spec from the configured provider (its blueprint without one)."""
    return llm_outcome(agent, source, runtime) if runtime else blueprint_outcome(agent, source)


def rerun_downstream(
    state: ProjectState,
    changed: str,
    before: tuple[Mapping[str, Any], Mapping[str, Any]],
    *,
    runtime: LlmRuntime | None,
    progress: Progress,
    trust: bool,
) -> Downstream:
    """Re-run, each as its own commit, the agents downstream of ``changed`` whose inputs moved.

    Args:
        state: The project, already holding ``changed``'s new slot.
        changed: The agent whose slot (or answers) just changed.
        before: The answers and the slots (by agent name) before that change.
        runtime: The LLM runtime, or None for blueprints.
        progress: Receives each re-run agent's events.
        trust: Allow a non-bundled template's Jinja extensions.

    Returns:
        The re-run agents' reports and the names of the agents kept.

    Raises:
        ConflictError: A re-run's update conflicts; the earlier commits stay.
    """
    old_answers, old_slots = before
    domain = state.domain.model_dump(mode="json")
    result = Downstream()
    agents = downstream_of(changed)
    for index, agent in enumerate(agents):
        slots = state.slots()
        answers = state.answers.model_dump(mode="json")
        old = context_digest(agent, old_answers, old_slots, domain)
        if context_digest(agent, answers, slots, domain) == old:
            result.kept.append(agent.name)
            continue
        progress.agent_started(agent.name)
        upstream = upstream_specs(slots, agent.name)
        outcome = run_agent(agent, BlueprintInput(state.answers, state.domain, upstream), runtime)
        new_slot = dump_slot(agent, outcome.spec)
        if new_slot != slots[agent.name]:
            outcome.report.commit = rerender_slot(
                state,
                agent.name,
                {agent.slot: new_slot},
                agent_commit_message(agent, outcome),
                agent_trailers(outcome.report, outcome.spec),
                trust=trust,
                then=follow_ups(state, agents[index + 1 :]),
            )
        result.reports.append(outcome.report)
        progress.agent_finished(outcome.report)
    return result


@dataclass
class SlotChangeResult:
    """What ``regenerate`` or ``revert`` did."""

    report: Report
    """The changed agent first, then the agents that re-ran."""
    kept: list[str] = field(default_factory=list)
    """Downstream agents whose inputs did not change."""
    nothing: str = ""
    """Why nothing was committed, when nothing was."""

    @property
    def rerun(self) -> list[str]:
        """The downstream agents that re-ran."""
        return [agent.name for agent in self.report.agents[1:]]


def open_for_agent(
    project: Path, agent_name: str, options: GenerationOptions, progress: Progress
) -> tuple[ProjectState, AgentDefinition]:
    """Check the agent and the options, then open the clean project and say its warnings.

    The first step of ``regenerate`` and ``revert``.

    Raises:
        UserInputError: Unknown agent, bad options, not a backendgen project, or a dirty tree.
    """
    check_agent(agent_name)
    check_options(options)
    state = open_project(project)
    for warning in state.warnings:
        progress.line(f"warning: {warning}")
    return state, agent_named(agent_name)


def new_report(state: ProjectState, runtime: LlmRuntime | None, started: float) -> Report:
    """An empty report of a command on ``state`` (agents are appended as they commit)."""
    return Report(
        project=state.answers.project_name,
        template=str(state.recorded.get("_src_path", "")),
        template_ref=str(state.recorded.get("_commit", "")),
        provider=runtime.settings.provider if runtime else "blueprint",
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Commit:
    """The commit a slot change makes: its agent's report, subject and trailers."""

    report: AgentReport
    subject: str
    trailers: dict[str, str]


def change_slot(
    state: ProjectState,
    agent: AgentDefinition,
    spec: SlotSpec,
    commit: Commit,
    *,
    extra: Mapping[str, Any] | None = None,
    runtime: LlmRuntime | None,
    progress: Progress,
    trust: bool,
) -> SlotChangeResult:
    """Commit ``agent``'s new spec (and ``extra`` answers), then re-run what depends on it.

    Args:
        state: The open, clean project.
        agent: The agent whose slot changes.
        spec: Its new spec.
        commit: The report, subject and trailers of its commit.
        extra: Other answers to change with it (``requirements``).
        runtime: The LLM runtime downstream re-runs use, or None for blueprints.
        progress: Receives the agents' events.
        trust: Allow a non-bundled template's Jinja extensions.

    Returns:
        The report (``agent`` first) and the downstream agents kept.

    Raises:
        ConflictError: An update conflicts with the team's edits; nothing of it is committed.
    """
    started = time.perf_counter()
    before = (state.answers.model_dump(mode="json"), state.slots())
    commit.report.commit = rerender_slot(
        state,
        agent.name,
        {agent.slot: dump_slot(agent, spec), **(extra or {})},
        commit.subject,
        commit.trailers,
        trust=trust,
        then=follow_ups(state, downstream_of(agent.name)),
    )
    progress.agent_finished(commit.report)
    downstream = rerun_downstream(
        state, agent.name, before, runtime=runtime, progress=progress, trust=trust
    )
    report = new_report(state, runtime, started)
    report.agents = [commit.report, *downstream.reports]
    report.seconds = time.perf_counter() - started
    return SlotChangeResult(report, downstream.kept)
