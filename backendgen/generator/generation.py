"""One run of ``backendgen new`` inside its staged project: the scaffold, then the agents.

The agents run on the DAG scheduler; each one's spec becomes its slot's answer, the files
that read the slot are rendered again, and the result is one commit with trailers, in the
registry's order. With every answer known beforehand the scaffold is laid while the agents
wait on their models, so its render is off the critical path.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import AGENT_SLOTS, AGENTS, AgentDefinition
from backendgen.agents.spec_base import SlotSpec
from backendgen.errors import GitError
from backendgen.generator.agent_files import AgentFiles
from backendgen.generator.agent_outcome import (
    agent_commit_message,
    agent_trailers,
    blueprint_outcome,
    declared_specs,
    llm_outcome,
)
from backendgen.generator.git_repo import commit_all
from backendgen.generator.openapi_export import export_slot, refresh_openapi
from backendgen.generator.progress import Progress, commit_finished, commit_started, spec_ready
from backendgen.generator.savings import measured_savings
from backendgen.generator.scaffold import (
    DESIGNED_DOMAIN_FILE,
    Scaffold,
    empty_slots,
    known_answers,
    lay_scaffold,
    save_designed_domain,
)
from backendgen.generator.scheduler import Recheck, run_dag
from backendgen.generator.slot_render import SlotRenderer
from backendgen.generator.speculation import settle
from backendgen.generator.staging import StagedTemplate, stage_template
from backendgen.generator.template_source import TemplateRef
from backendgen.llm.report import Report
from backendgen.llm.runtime import UNREACHABLE, AgentOutcome, LlmRuntime
from backendgen.questions.answers import DOMAIN_SPEC_ANSWER, Answers
from backendgen.questions.domain import DomainSpec, load_catalogue_domain

if TYPE_CHECKING:
    from backendgen.llm.domain_designer import Design


@dataclass
class Generation:
    """A new project being generated in ``project`` (a staged directory).

    Attributes:
        project: The staged project directory.
        template: The template and version to render.
        given: The checked answers (complete, or with gaps Copier fills in).
        domain: The domain from the input, or None for the answers' catalogue domain.
        runtime: The LLM runtime, or None for the blueprints.
        design: A domain designed from a description, saved in the scaffold, or None.
        progress: Receives steps, warnings and per-agent events.
        interactive: Copier asks the unanswered questions on the terminal.
        report: The run's report, filled in as the agents commit.
    """

    project: Path
    template: TemplateRef
    given: Mapping[str, Any]
    domain: DomainSpec | None
    runtime: LlmRuntime | None
    design: Design | None
    progress: Progress
    interactive: bool
    report: Report
    started: float = field(default_factory=time.perf_counter)
    _scaffold: Scaffold | None = None
    _warned: set[str] = field(default_factory=set)
    _data: dict[str, Any] = field(default_factory=dict)
    _export_slot: str | None = None
    _staging: tuple[StagedTemplate | None, SlotRenderer | None] | None = None

    def staging(self) -> tuple[StagedTemplate | None, SlotRenderer | None]:
        """Return which files read each slot and the in-process renderer, once per run.

        Both are worked out from the scaffold's answers, which a templated ``_subdirectory``
        reads: each agent's commit then re-renders only the files that read its slot, in
        process when the renderer can vouch for the template, else through Copier.

        Raises:
            TemplateLayoutError: When ``_subdirectory`` names no folder of the template.
        """
        if self._staging is None:
            root = self.template.files
            readers = stage_template(root, AGENT_SLOTS, self.scaffold.recorded) if root else None
            renderer = SlotRenderer.for_template(root, readers) if root else None
            self._staging = (readers, renderer)
        return self._staging

    def run(self, max_parallel: int) -> Report:
        """Lay the scaffold and run every agent, one commit each; return the report.

        Args:
            max_parallel: Most agents in flight at once.
        """
        answers = known_answers(self.given, interactive=self.interactive)
        if answers is None:
            self.lay_scaffold()
            answers = self.scaffold.answers
        self.report.project = answers.project_name
        domain = self.domain or load_catalogue_domain(answers.domain)
        self.domain = domain
        self._data = {
            **answers.model_dump(mode="json"),
            DOMAIN_SPEC_ANSWER: domain.model_dump(mode="json"),  # regenerate rebuilds it
            **empty_slots(),
        }
        outcomes = run_dag(
            AGENTS,
            partial(self.run_agent, answers, domain),
            lambda outcome: outcome.spec,
            partial(self.commit_agent, answers),
            max_parallel,
            declared=declared_specs(answers, domain),
            prelude=self.lay_scaffold if self._scaffold is None else None,
            recheck=self.recheck(answers, domain),
        )
        self.report.template_ref = self.scaffold.ref
        self.report.savings = measured_savings(list(outcomes.values()))
        self.report.seconds = time.perf_counter() - self.started
        self.report.write(self.project)
        return self.report

    @property
    def scaffold(self) -> Scaffold:
        """The committed scaffold (the scheduler lays it before the first agent commits).

        Raises:
            GitError: Before the scaffold is committed.
        """
        if self._scaffold is None:
            raise GitError("no scaffold commit yet to commit an agent's slot on")
        return self._scaffold

    def lay_scaffold(self) -> None:
        """Render the template with empty slots, save a designed domain, commit."""
        design = self.design

        def save_design() -> None:
            if design is not None:
                save_designed_domain(self.project / DESIGNED_DOMAIN_FILE, design.domain)

        laid = lay_scaffold(
            self.project,
            self.template,
            self.given,
            interactive=self.interactive,
            before_commit=save_design,
        )
        self._scaffold = laid
        self.progress.line(
            f"scaffold                   {laid.answers.project_name} "
            f"({laid.answers.domain}, template {laid.ref})"
        )

    def run_agent(
        self,
        answers: Answers,
        domain: DomainSpec,
        agent: AgentDefinition,
        upstream: Mapping[str, SlotSpec],
    ) -> AgentOutcome:
        """Produce one agent's spec from the answers, domain and its dependencies' specs."""
        source = BlueprintInput(answers, domain, upstream)
        self.progress.agent_started(agent.name)
        outcome = (  # a plugin agent runs its blueprint only (docs/plugins.md)
            blueprint_outcome(agent, source)
            if self.runtime is None or agent.template is not None
            else llm_outcome(agent, source, self.runtime)
        )
        reason = outcome.report.fallback_reason
        if reason and reason not in self._warned:
            if reason.startswith(UNREACHABLE):  # reported once, not per agent
                self._warned.add(reason)
                self.progress.line(f"warning: {reason}: every agent falls back to its blueprint")
            else:
                self.progress.line(f"warning: {agent.name} fell back to its blueprint: {reason}")
        return spec_ready(self.progress, outcome, since=self.started)

    def recheck(self, answers: Answers, domain: DomainSpec) -> Recheck[AgentOutcome]:
        """What keeps an outcome made on declared specs if it holds, or runs the agent again."""

        def recheck(
            agent: AgentDefinition,
            outcome: AgentOutcome,
            early: Mapping[str, SlotSpec],
            real: Mapping[str, SlotSpec],
        ) -> AgentOutcome:
            return settle(
                agent,
                outcome,
                BlueprintInput(answers, domain, early),
                BlueprintInput(answers, domain, real),
                partial(self.run_agent, answers, domain, agent),
                llm=self.runtime is not None,
            )

        return recheck

    def commit_agent(self, answers: Answers, agent: AgentDefinition, outcome: AgentOutcome) -> None:
        """Write an agent's slot, render the files that read it, and commit (blocking)."""
        committing = commit_started(self.progress, agent.name)
        slot_readers, slot_renderer = self.staging()
        files = AgentFiles(
            self.project,
            self.template,
            self._data,
            self.scaffold.recorded,
            slot_renderer,
            slot_readers,
        )
        files.write(agent, outcome.spec, answers)
        if self._export_slot is None:  # a plugin's files aside, the last app commit has it
            bundled = [agent.slot for agent in AGENTS if agent.template is None]
            self._export_slot = export_slot(slot_readers, bundled) or ""
        if agent.slot == self._export_slot:  # the API document, once the app is complete
            refresh_openapi(self.project, self.progress.line, self._warned)
        outcome.report.commit = commit_all(
            self.scaffold.repo,
            agent_commit_message(agent, outcome),
            agent_trailers(outcome.report, outcome.spec),
        )
        self.report.agents.append(outcome.report)
        commit_finished(self.progress, outcome.report, committing, since=self.started)
