"""The ``security_compliance`` agent: its definition, from the units beside it."""

from __future__ import annotations

from backendgen.agents.base import AgentDefinition
from backendgen.agents.security_compliance.blueprint import security_blueprint
from backendgen.agents.security_compliance.spec import SecurityComplianceSpec
from backendgen.agents.security_compliance.task import TASK, build_context

AGENT = AgentDefinition(
    name="security_compliance",
    spec_type=SecurityComplianceSpec,
    depends_on=("core_backend",),
    speculates_on=(
        "core_backend",
    ),  # the fields it encrypts and protects: usually the declared ones
    blueprint=security_blueprint,
    scope="security",
    task=TASK,
    context=build_context,
)
"""The ``security_compliance`` agent."""
