"""One agent's outcome and its commit's message and ``Backendgen-*`` trailers.

The spec comes from the agent's blueprint or the LLM; ``new``, ``regenerate``, ``revert`` and
the cascade share these.
"""

from __future__ import annotations

import hashlib
import json
import time

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import AgentDefinition, agent_named
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.agent_files import plugin_blueprint
from backendgen.llm.report import AgentReport
from backendgen.llm.runtime import AgentOutcome, LlmRuntime
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec


def spec_digest(spec: SlotSpec) -> str:
    """Return the SHA-256 of a spec's canonical JSON (the ``Backendgen-Spec-Sha256`` trailer)."""
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def blueprint_outcome(agent: AgentDefinition, source: BlueprintInput) -> AgentOutcome:
    """Produce one agent's spec from its blueprint, validated against its dependencies."""
    started = time.perf_counter()
    if agent.template is not None:  # a plugin agent: its failures are one line, exit 2
        spec = plugin_blueprint(agent, source)
    else:
        draft = agent.blueprint(source)
        spec = agent.spec_type.model_validate(
            draft.model_dump(mode="json"), context=source.validation_context()
        )
    report = AgentReport(
        name=agent.name,
        source="blueprint",
        model="blueprint",
        seconds=round(time.perf_counter() - started, 4),
    )
    return AgentOutcome(spec, report, full_prompt_tokens=0, sent_prompt_tokens=0)


def llm_outcome(
    agent: AgentDefinition, source: BlueprintInput, runtime: LlmRuntime
) -> AgentOutcome:
    """Produce one agent's spec through the LLM (its blueprint on failure).

    The LLM stack (``openai``, ``instructor``) is imported here, on first use, so offline
    runs do not pay for loading it.
    """
    from backendgen.llm.llm_agent import run_llm_agent

    return run_llm_agent(agent, source, runtime)


def declared_specs(answers: Answers, domain: DomainSpec) -> dict[str, SlotSpec]:
    """The declared part of the specs agents may start on: the domain's own core spec."""
    core = agent_named("core_backend")
    source = BlueprintInput(answers, domain)
    spec = core.spec_type.model_validate(
        core.blueprint(source).model_dump(mode="json"), context=source.validation_context()
    )
    return {core.name: spec}


def agent_commit_message(agent: AgentDefinition, outcome: AgentOutcome) -> str:
    """The conventional-commit subject of an agent's commit."""
    return f"feat({agent.scope}): {agent.name} slot from {outcome.report.source}"


def agent_trailers(agent: AgentReport, spec: SlotSpec) -> dict[str, str]:
    """The ``Backendgen-*`` trailers of an agent's commit."""
    trailers = {
        "Backendgen-Agent": agent.name,
        "Backendgen-Source": agent.source,
        "Backendgen-Model": agent.model,
        "Backendgen-Tokens": f"{agent.prompt_tokens}+{agent.completion_tokens}",
        "Backendgen-Cost-USD": f"{agent.cost_usd:.4f}",
        "Backendgen-Spec-Sha256": spec_digest(spec),
    }
    if agent.fallback_reason:
        trailers["Backendgen-Fallback-Reason"] = agent.fallback_reason
    return trailers
