"""SOX controls of the ``security_compliance`` blueprint, derived from the domain's own words.

- An enum field with a value ``SETTLED`` or ``POSTED`` marks a settlement: reaching it is a
  maker-checker approval, and a record there (or ``REVERSED``) is final.
- An entity described or ruled "immutable" or "append-only", without such a field, is final as
  soon as it is stored.
- Two references of one entity to the same target, with a rule saying they "differ", must
  point at different records.
"""

from __future__ import annotations

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec
from backendgen.agents.sox_controls import (
    DistinctReferencesSpec,
    ImmutableRecordSpec,
    MakerCheckerSpec,
)
from backendgen.domain.rules import rule_text

SETTLED_VALUES = ("SETTLED", "POSTED")
"""Enum values that settle a record: reaching one needs a second person, and freezes it."""

FINAL_VALUES = (*SETTLED_VALUES, "REVERSED")
"""Enum values that make a record final."""

APPEND_ONLY_WORDS = ("immutable", "append-only", "append only")
"""Words of an entity's description or rules that make each of its records final."""


def _settlement(core: CoreBackendSpec, entity: EntitySpec) -> tuple[str, list[str]] | None:
    """The entity's settlement field and the values of its enum, if it has one."""
    enums = {e.name: e.values for e in core.enums}
    for field in entity.fields:
        values = enums.get(field.enum or "", [])
        if any(v in values for v in SETTLED_VALUES):
            return field.name, values
    return None


def _text(entity: EntitySpec) -> str:
    return " ".join([entity.description, *(rule_text(r) for r in entity.rules)]).lower()


def sox_controls(
    core: CoreBackendSpec,
) -> tuple[list[ImmutableRecordSpec], list[MakerCheckerSpec], list[DistinctReferencesSpec]]:
    """Derive the immutable records, maker-checker approvals and distinct references.

    Args:
        core: The core spec.

    Returns:
        The three lists of the spec's SOX controls.
    """
    immutable: list[ImmutableRecordSpec] = []
    approvals: list[MakerCheckerSpec] = []
    distinct: list[DistinctReferencesSpec] = []
    for entity in core.entities:
        settlement = _settlement(core, entity)
        if settlement is not None:
            name, values = settlement
            approved = next(v for v in SETTLED_VALUES if v in values)
            approvals.append(
                MakerCheckerSpec(entity=entity.name, status_field=name, approved_value=approved)
            )
            final = [v for v in FINAL_VALUES if v in values]
            immutable.append(
                ImmutableRecordSpec(entity=entity.name, status_field=name, final_values=final)
            )
        elif any(word in _text(entity) for word in APPEND_ONLY_WORDS):
            immutable.append(ImmutableRecordSpec(entity=entity.name))
        if "differ" in _text(entity):
            pair = _same_target_pair(entity)
            if pair is not None:
                distinct.append(DistinctReferencesSpec(entity=entity.name, references=pair))
    return immutable, approvals, distinct


def _same_target_pair(entity: EntitySpec) -> list[str] | None:
    """The first two references of ``entity`` to the same target, if any."""
    for index, first in enumerate(entity.relationships):
        for second in entity.relationships[index + 1 :]:
            if first.target == second.target:
                return [first.name, second.name]
    return None
