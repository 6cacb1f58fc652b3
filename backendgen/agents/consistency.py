"""Cross-agent consistency checks run as pydantic validation with context.

An agent's spec is validated with ``context={"core_backend": CoreBackendSpec, ...}`` holding the
specs of the agents it depends on. A reference to something that does not exist becomes a
validation error, which instructor feeds back to the model for a re-ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationInfo

from backendgen.agents.core_backend import CoreBackendSpec


def upstream(info: ValidationInfo, agent: str) -> Any:
    """Return the spec of ``agent`` from the validation context, or None outside a pipeline.

    Args:
        info: The pydantic validation info of the validator.
        agent: The name of an upstream agent (``core_backend``, ...).

    Returns:
        That agent's spec, or None when validating without context (e.g. reading answers).
    """
    context = info.context
    if not isinstance(context, dict):
        return None
    return context.get(agent)


def unknown_entity_fields(
    core: CoreBackendSpec, pairs: Iterable[tuple[str, str | None]], what: str
) -> list[str]:
    """List the references to entities (and optionally fields) that ``core`` lacks.

    Args:
        core: The core backend spec references are checked against.
        pairs: ``(entity, field)`` pairs; ``field`` None checks the entity only.
        what: Noun for messages, e.g. ``"permission"``.

    Returns:
        One message per broken reference.
    """
    problems: list[str] = []
    for entity_name, field_name in pairs:
        entity = core.entity(entity_name)
        known = ", ".join(e.name for e in core.entities)
        if entity is None:
            problems.append(f"{what} names unknown entity '{entity_name}' (known: {known})")
        elif field_name is not None and field_name not in {f.name for f in entity.fields}:
            problems.append(f"{what} names unknown field '{entity_name}.{field_name}'")
    return problems


def duplicates(names: Iterable[str], what: str) -> list[str]:
    """Report names that occur more than once.

    Args:
        names: The names to check.
        what: Noun for the message, e.g. ``"role"``.

    Returns:
        A one-item list with the message, or an empty list.
    """
    seen: set[str] = set()
    dupes: set[str] = set()
    for name in names:
        (dupes if name in seen else seen).add(name)
    return [f"duplicate {what} names: {sorted(dupes)}"] if dupes else []
