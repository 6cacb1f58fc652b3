"""The ``core_backend`` agent: its definition, from the units beside it."""

from __future__ import annotations

from backendgen.agents.base import AgentDefinition
from backendgen.agents.core_backend.blueprint import core_blueprint
from backendgen.agents.core_backend.spec import CoreBackendSpec
from backendgen.agents.core_backend.task import TASK, build_context

AGENT = AgentDefinition(
    name="core_backend",
    spec_type=CoreBackendSpec,
    depends_on=(),
    blueprint=core_blueprint,
    scope="core",
    task=TASK,
    context=build_context,
    fans_out=True,
)
"""The ``core_backend`` agent."""
