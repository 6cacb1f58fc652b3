"""HIPAA controls of the ``security_compliance`` spec: minimum-necessary field filtering.

Each entry names a role, an entity and PHI fields of the core spec;
:func:`minimum_necessary_problems` checks them there.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from backendgen.agents.consistency import duplicates
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.spec_base import PascalName, SnakeName, SpecPart


class MinimumNecessarySpec(SpecPart):
    """PHI fields of one entity that one role does not need and so never reads."""

    role: SnakeName = Field(description="A declared role other than the administrator.")
    entity: PascalName = Field(description="Entity of the core spec holding the fields.")
    withheld: list[SnakeName] = Field(
        min_length=1,
        max_length=40,
        description=(
            "PHI fields of the entity that responses to this role carry as null, in lists, "
            "single records and write responses alike, e.g. ['clinical_notes']."
        ),
    )


def minimum_necessary_problems(
    core: CoreBackendSpec | None, roles: Sequence[str], entries: Sequence[MinimumNecessarySpec]
) -> list[str]:
    """List what the minimum-necessary entries name that the specs lack.

    Args:
        core: The core spec, when known.
        roles: The declared roles, the administrator first.
        entries: The minimum-necessary entries.

    Returns:
        One message per unknown or administrator role, unknown entity, or non-PHI field.
    """
    problems = duplicates((f"{e.role}:{e.entity}" for e in entries), "minimum-necessary entry")
    for entry in entries:
        if entry.role not in roles[1:]:
            problems.append(f"minimum-necessary names '{entry.role}', not a non-administrator role")
        if core is None:
            continue
        entity = core.entity(entry.entity)
        if entity is None:
            problems.append(f"minimum-necessary names unknown entity '{entry.entity}'")
            continue
        phi = {f.name for f in entity.fields if f.phi}
        for name in entry.withheld:
            if name not in phi:
                problems.append(
                    f"minimum-necessary field '{entry.entity}.{name}' is not a PHI field"
                )
    return problems
