"""The six agents, their dependencies (the DAG) and their blueprints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.blueprints.core import core_blueprint
from backendgen.agents.blueprints.devops import devops_blueprint
from backendgen.agents.blueprints.documentation import documentation_blueprint
from backendgen.agents.blueprints.monitoring import monitoring_blueprint
from backendgen.agents.blueprints.security import security_blueprint
from backendgen.agents.blueprints.testing import testing_blueprint
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.devops_infrastructure import DevopsInfrastructureSpec
from backendgen.agents.documentation import DocumentationSpec
from backendgen.agents.monitoring_observability import MonitoringObservabilitySpec
from backendgen.agents.security_compliance import SecurityComplianceSpec
from backendgen.agents.spec_base import SlotSpec
from backendgen.agents.testing_qa import TestingQaSpec


@dataclass(frozen=True)
class AgentDefinition:
    """One agent: its name, spec type, the agents it depends on, and its blueprint."""

    name: str
    """Stable agent name, e.g. ``security_compliance``."""
    spec_type: type[SlotSpec]
    """The pydantic model the agent returns."""
    depends_on: tuple[str, ...]
    """Agents whose specs this one reads."""
    blueprint: Callable[[BlueprintInput], SlotSpec]
    """Deterministic offline derivation of the spec (and the LLM fallback)."""
    scope: str
    """Conventional-commit scope of the agent's commit."""
    fans_out: bool = False
    """Whether a large domain is asked for in parallel groups of entities (``core_backend``)."""
    starts_on_declared: tuple[str, ...] = ()
    """Dependencies of which the agent reads only the declared part (the domain's own
    entities, which the core agent keeps): it starts without waiting for their answers."""

    @property
    def slot(self) -> str:
        """The Copier answer holding this agent's spec."""
        return f"slot_{self.name}"


# Every agent reads the core spec; only documentation also waits for another agent (it writes a
# runbook per monitoring alert). Devops, monitoring and documentation read only the declared
# entities of the core spec, so they start with core: the critical path is the longer of core
# then security or testing, and monitoring then documentation.
AGENTS: tuple[AgentDefinition, ...] = (
    AgentDefinition("core_backend", CoreBackendSpec, (), core_blueprint, "core", fans_out=True),
    AgentDefinition(
        "security_compliance",
        SecurityComplianceSpec,
        ("core_backend",),
        security_blueprint,
        "security",
    ),
    AgentDefinition(
        "devops_infrastructure",
        DevopsInfrastructureSpec,
        ("core_backend",),
        devops_blueprint,
        "infra",
        starts_on_declared=("core_backend",),  # reads the entity count
    ),
    AgentDefinition(
        "monitoring_observability",
        MonitoringObservabilitySpec,
        ("core_backend",),
        monitoring_blueprint,
        "monitoring",
        starts_on_declared=("core_backend",),  # reads the entities and their endpoints
    ),
    AgentDefinition(
        "documentation",
        DocumentationSpec,
        ("core_backend", "monitoring_observability"),  # a runbook per alert
        documentation_blueprint,
        "docs",
        starts_on_declared=("core_backend",),  # reads the entities' names and descriptions
    ),
    AgentDefinition(
        "testing_qa",
        TestingQaSpec,
        ("core_backend",),
        testing_blueprint,
        "tests",
    ),
)
"""Every agent, in a topological order of the DAG (the order of their commits)."""

AGENT_NAMES: tuple[str, ...] = tuple(agent.name for agent in AGENTS)


def agent_named(name: str) -> AgentDefinition:
    """Return the agent called ``name``.

    Raises:
        KeyError: If there is no such agent.
    """
    for agent in AGENTS:
        if agent.name == name:
            return agent
    raise KeyError(name)
