"""Stored slot specs across releases: versions, migrations, and loading and dumping answers.

The versions and migrations live in the template (``template_extensions/slot_migrations.py``)
so that plain ``copier update`` applies them too; this module loads that same file from the
bundled template and is the only way backendgen reads a spec back from a project's answers or
writes one into them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import ModuleType
from typing import Any

from backendgen.agents.registry import BUILTIN_AGENTS, AgentDefinition
from backendgen.agents.spec_base import SlotSpec
from backendgen.bundle import load_template_module
from backendgen.errors import TemplateError, UserInputError

MIGRATIONS_FILE = "template_extensions/slot_migrations.py"
"""The template's migrations module, relative to the template root."""


@cache
def slot_migrations() -> ModuleType:
    """Load the bundled template's migrations module (once per process).

    Raises:
        TemplateError: If the installation lacks it.
    """
    return load_template_module(MIGRATIONS_FILE, "backendgen_slot_migrations")


def current_version(agent: AgentDefinition) -> int:
    """Return the schema version of the agent's spec model (what backendgen writes)."""
    default = agent.spec_type.model_fields["schema_version"].default
    if not isinstance(default, int):
        raise TypeError(f"{agent.spec_type.__name__}.schema_version has no integer default")
    return default


def check_versions() -> None:
    """Check that the template's versions are the spec models' versions.

    Raises:
        TemplateError: When a spec model and the template disagree (a spec changed without
            its version and migration).
    """
    known: dict[str, int] = slot_migrations().SLOT_VERSIONS
    models = {agent.slot: current_version(agent) for agent in BUILTIN_AGENTS}
    if known != models:
        raise TemplateError(
            f"slot versions in {MIGRATIONS_FILE} {known} differ from the spec models {models}"
        )


def migrate_stored(
    agent: AgentDefinition, stored: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Bring a stored slot answer to the current version of the agent's spec.

    Args:
        agent: The agent whose slot it is.
        stored: The stored ``slot_<agent>`` answer (an empty one stays empty).
        answers: Every answer of the project (migrations may read them).

    Returns:
        The answer as the current version stores it.

    Raises:
        UserInputError: For a spec newer than this backendgen knows (one line).
    """
    module = slot_migrations()
    try:
        upgraded: dict[str, Any] = module.migrate_slot(agent.slot, stored, answers)
    except module.SlotVersionError as error:
        raise UserInputError(str(error)) from None
    return upgraded


def load_slot(
    agent: AgentDefinition,
    stored: Mapping[str, Any],
    answers: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
) -> SlotSpec:
    """Read an agent's spec from a project's stored answer, migrating an older version.

    Args:
        agent: The agent whose slot it is.
        stored: The stored ``slot_<agent>`` answer.
        answers: Every answer of the project (migrations may read them).
        context: Validation context (the upstream specs).

    Returns:
        The validated spec at the current version.

    Raises:
        UserInputError: For a spec newer than this backendgen knows, or one that no longer
            validates (one line).
    """
    upgraded = migrate_stored(agent, stored, answers)
    try:
        return agent.spec_type.model_validate(upgraded, context=dict(context or {}))
    except ValueError as error:
        lines = str(error).splitlines()
        raise UserInputError(
            f"stored {agent.slot} does not validate: {' '.join(lines[:3])}"
        ) from None


def dump_slot(agent: AgentDefinition, spec: SlotSpec) -> dict[str, Any]:
    """Return the answer that stores ``spec``, stamped with its spec's current version."""
    return {**spec.model_dump(mode="json"), "schema_version": current_version(agent)}
