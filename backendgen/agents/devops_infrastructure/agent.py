"""The ``devops_infrastructure`` agent: its definition, from the units beside it."""

from __future__ import annotations

from backendgen.agents.base import AgentDefinition
from backendgen.agents.devops_infrastructure.blueprint import devops_blueprint
from backendgen.agents.devops_infrastructure.spec import DevopsInfrastructureSpec
from backendgen.agents.devops_infrastructure.task import TASK, build_context

AGENT = AgentDefinition(
    name="devops_infrastructure",
    spec_type=DevopsInfrastructureSpec,
    depends_on=("core_backend",),
    blueprint=devops_blueprint,
    scope="infra",
    task=TASK,
    context=build_context,
    starts_on_declared=("core_backend",),  # reads the entity count
)
"""The ``devops_infrastructure`` agent."""
