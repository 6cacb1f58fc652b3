"""The ``monitoring_observability`` agent: its definition, from the units beside it."""

from __future__ import annotations

from backendgen.agents.base import AgentDefinition
from backendgen.agents.monitoring_observability.blueprint import monitoring_blueprint
from backendgen.agents.monitoring_observability.spec import MonitoringObservabilitySpec
from backendgen.agents.monitoring_observability.task import TASK, build_context

AGENT = AgentDefinition(
    name="monitoring_observability",
    spec_type=MonitoringObservabilitySpec,
    depends_on=("core_backend",),
    blueprint=monitoring_blueprint,
    scope="monitoring",
    task=TASK,
    context=build_context,
    starts_on_declared=("core_backend",),  # reads the entities and their endpoints
)
"""The ``monitoring_observability`` agent."""
