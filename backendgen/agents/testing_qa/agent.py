"""The ``testing_qa`` agent: its definition, from the units beside it."""

from __future__ import annotations

from backendgen.agents.base import AgentDefinition
from backendgen.agents.testing_qa.blueprint import testing_blueprint
from backendgen.agents.testing_qa.spec import TestingQaSpec
from backendgen.agents.testing_qa.task import TASK, build_context

AGENT = AgentDefinition(
    name="testing_qa",
    spec_type=TestingQaSpec,
    depends_on=("core_backend",),
    speculates_on=("core_backend",),  # the fields its test data names: usually the declared ones
    blueprint=testing_blueprint,
    scope="tests",
    task=TASK,
    context=build_context,
)
"""The ``testing_qa`` agent."""
