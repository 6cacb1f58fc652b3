"""HIPAA controls of the ``security_compliance`` spec: minimum necessary and break-glass.

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


class BreakGlassSpec(SpecPart):
    """HIPAA emergency access ("break-glass"): who may lift minimum necessary, and for how long.

    Closed by default: no role may break glass until the spec names it.
    """

    roles: list[SnakeName] = Field(
        default_factory=list,
        max_length=12,
        description=(
            "Declared roles other than the administrator that may open emergency access to PHI "
            "they normally do not read (withheld fields, entities or rows they may not read); "
            "empty: nobody may."
        ),
    )
    default_minutes: int = Field(
        default=60, ge=1, le=1440, description="Lifetime of a grant when the request names none."
    )
    max_minutes: int = Field(
        default=240,
        ge=1,
        le=1440,
        description="Longest lifetime a grant may be opened for; longer requests are refused.",
    )
    reason_min_length: int = Field(
        default=20,
        ge=8,
        le=500,
        description="Fewest characters of the mandatory reason, leading and trailing blanks aside.",
    )


def break_glass_problems(
    core: CoreBackendSpec | None, roles: Sequence[str], spec: BreakGlassSpec
) -> list[str]:
    """List what the break-glass settings name that the specs lack.

    Args:
        core: The core spec, when known.
        roles: The declared roles, the administrator first.
        spec: The break-glass settings.

    Returns:
        One message per unknown or administrator role, a default lifetime above the maximum,
        and eligible roles without any entity holding PHI to open.
    """
    problems = duplicates(spec.roles, "break-glass role")
    problems += [
        f"break-glass names '{role}', not a non-administrator role"
        for role in spec.roles
        if role not in roles[1:]
    ]
    if spec.default_minutes > spec.max_minutes:
        problems.append("break-glass default_minutes exceeds max_minutes")
    if spec.roles and core is not None and not phi_entities(core):
        problems.append("break-glass roles are declared but no entity holds PHI")
    return problems


def phi_entities(core: CoreBackendSpec) -> list[str]:
    """Return the entities holding PHI fields: those break-glass grants open."""
    return [e.name for e in core.entities if any(f.phi for f in e.fields)]
