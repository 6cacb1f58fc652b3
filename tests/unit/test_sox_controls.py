"""The SOX controls of the security spec (issue 8, regime controls): blueprint and checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.security_compliance import SecurityComplianceSpec
from tests.helpers import catalogue_security


def _fintech(regimes: list[str]) -> tuple[SecurityComplianceSpec, BlueprintInput]:
    return catalogue_security("fintech", regimes)


def test_the_fintech_blueprint_derives_the_sox_controls() -> None:
    spec, _ = _fintech(["sox"])
    assert [(r.entity, r.status_field, r.final_values) for r in spec.sox_immutable_records] == [
        ("Transfer", "status", ["SETTLED", "REVERSED"]),
        ("LedgerEntry", None, []),
    ]
    assert [(r.entity, r.status_field, r.approved_value) for r in spec.sox_maker_checker] == [
        ("Transfer", "status", "SETTLED")
    ]
    assert [(r.entity, r.references) for r in spec.sox_distinct_references] == [
        ("Transfer", ["source_account", "destination_account"])
    ]


def test_without_sox_there_are_no_sox_controls() -> None:
    spec, _ = _fintech(["gdpr", "pci_dss"])
    assert spec.sox_immutable_records == spec.sox_maker_checker == []
    assert spec.sox_distinct_references == []


@pytest.mark.parametrize(
    ("key", "rule", "message"),
    [
        (
            "sox_maker_checker",
            {"entity": "Transfer", "status_field": "memo", "approved_value": "SETTLED"},
            "'Transfer.memo' is not an enum field",
        ),
        (
            "sox_immutable_records",
            {"entity": "Transfer", "status_field": "status", "final_values": ["DONE"]},
            "'Transfer.status' has no value DONE",
        ),
        (
            "sox_distinct_references",
            {"entity": "Transfer", "references": ["source_account", "payee"]},
            "unknown in 'Transfer'",
        ),
        (
            "sox_immutable_records",
            {"entity": "Ledger"},
            "unknown entity 'Ledger'",
        ),
    ],
)
def test_controls_naming_what_the_domain_lacks_are_refused(
    key: str, rule: dict[str, object], message: str
) -> None:
    spec, source = _fintech(["sox"])
    dumped = spec.model_dump()
    dumped[key] = [rule]
    with pytest.raises(ValidationError, match=message):
        SecurityComplianceSpec.model_validate(dumped, context=dict(source.upstream))
