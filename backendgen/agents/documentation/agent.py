"""The ``documentation`` agent: its definition, from the units beside it."""

from __future__ import annotations

from backendgen.agents.base import AgentDefinition
from backendgen.agents.documentation.blueprint import documentation_blueprint
from backendgen.agents.documentation.spec import DocumentationSpec
from backendgen.agents.documentation.task import TASK, build_context

AGENT = AgentDefinition(
    name="documentation",
    spec_type=DocumentationSpec,
    depends_on=("core_backend", "monitoring_observability"),  # a runbook per alert
    blueprint=documentation_blueprint,
    scope="docs",
    task=TASK,
    context=build_context,
    starts_on_declared=("core_backend",),  # reads the entities' names and descriptions
)
"""The ``documentation`` agent."""
