"""SOX controls of the ``security_compliance`` spec: immutable records, maker-checker, rules.

Each part names entities and fields of the core spec; :func:`sox_problems` checks them there.
"""

from __future__ import annotations

from pydantic import Field

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec, FieldSpec
from backendgen.agents.spec_base import EnumValue, PascalName, SnakeName, SpecPart


class ImmutableRecordSpec(SpecPart):
    """Records of an entity that nobody, administrators included, edits or deletes once final."""

    entity: PascalName = Field(description="Entity whose final records are immutable.")
    status_field: SnakeName | None = Field(
        default=None,
        description=(
            "Enum field whose value makes a record final, e.g. 'status'; None: every record is "
            "final once stored (append-only, e.g. ledger entries)."
        ),
    )
    final_values: list[EnumValue] = Field(
        default_factory=list,
        max_length=10,
        description="Values of status_field that make a record final, e.g. ['SETTLED'].",
    )


class MakerCheckerSpec(SpecPart):
    """A flagged action: setting a status value needs a second person (creator is not approver)."""

    entity: PascalName = Field(description="Entity whose records need an approval.")
    status_field: SnakeName = Field(description="Enum field holding the approval, e.g. 'status'.")
    approved_value: EnumValue = Field(
        description=(
            "Value that approves a record, e.g. 'SETTLED': no create may set it, and no user "
            "who created or changed the record may."
        )
    )


class DistinctReferencesSpec(SpecPart):
    """Two references of an entity that must point at different records."""

    entity: PascalName = Field(description="Entity holding the references.")
    references: list[SnakeName] = Field(
        min_length=2,
        max_length=2,
        description="Relationship names, e.g. ['source_account', 'destination_account'].",
    )


def _enum_field(
    core: CoreBackendSpec, entity: EntitySpec, name: str, values: list[str], what: str
) -> list[str]:
    """Check that ``name`` is an enum field of ``entity`` whose enum has every one of ``values``."""
    field: FieldSpec | None = next((f for f in entity.fields if f.name == name), None)
    if field is None or field.enum is None:
        return [f"{what} '{entity.name}.{name}' is not an enum field"]
    enum = next((e for e in core.enums if e.name == field.enum), None)
    missing = [v for v in values if enum is None or v not in enum.values]
    return [f"{what} '{entity.name}.{name}' has no value {v}" for v in missing]


def sox_problems(
    core: CoreBackendSpec,
    immutable: list[ImmutableRecordSpec],
    maker_checker: list[MakerCheckerSpec],
    distinct: list[DistinctReferencesSpec],
) -> list[str]:
    """List what the SOX controls name that the core spec lacks.

    Args:
        core: The core spec.
        immutable: The immutable records.
        maker_checker: The maker-checker actions.
        distinct: The distinct references.

    Returns:
        One message per unknown entity, field, value or relationship.
    """
    problems: list[str] = []
    for record in immutable:
        entity = core.entity(record.entity)
        if entity is None:
            problems.append(f"immutable record names unknown entity '{record.entity}'")
        elif record.status_field is not None:
            if not record.final_values:
                problems.append(f"immutable record '{record.entity}' lists no final value")
            problems += _enum_field(
                core, entity, record.status_field, record.final_values, "immutable record"
            )
    for flagged in maker_checker:
        entity = core.entity(flagged.entity)
        if entity is None:
            problems.append(f"maker-checker names unknown entity '{flagged.entity}'")
        else:
            problems += _enum_field(
                core, entity, flagged.status_field, [flagged.approved_value], "maker-checker"
            )
    for pair in distinct:
        entity = core.entity(pair.entity)
        names = {r.name for r in entity.relationships} if entity else set()
        if entity is None or not set(pair.references) <= names:
            problems.append(f"distinct references {pair.references} unknown in '{pair.entity}'")
    return problems
