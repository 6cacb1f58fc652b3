"""PCI DSS tokenisation in the security spec (issue 8, regime controls): checks and upgrade.

Version 6 of the spec adds ``pci_tokenization``: the fields that take a card number and
store a token, the masked form, the roles that may detokenise and whether a PAN always gets
the same token. Everything is closed by default and after an upgrade from version 5.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from backendgen.agents.security_compliance import SecurityComplianceSpec
from backendgen.generator.spec_versions import slot_migrations
from tests.helpers import catalogue_security

CLOSED = {"fields": [], "mask": "last4", "detokenize_roles": [], "deterministic": False}
"""Nothing tokenised, last four digits only, nobody detokenises, a new token each time."""


def _fintech() -> tuple[dict[str, Any], dict[str, Any]]:
    spec, source = catalogue_security("fintech", ["sox", "pci_dss"])
    dumped = spec.model_dump(mode="json")
    dumped["pci_tokenization"] = CLOSED
    dumped["controls"] = [c for c in dumped["controls"] if c["feature"] != "pci_tokenization"]
    return dumped, dict(source.upstream)


def _validate(dumped: dict[str, Any], context: dict[str, Any]) -> SecurityComplianceSpec:
    return SecurityComplianceSpec.model_validate(dumped, context=context)


def test_tokenisation_is_closed_by_default() -> None:
    for domain, regimes in (("fintech", ["sox"]), ("ecommerce", ["pci_dss"])):
        spec, _ = catalogue_security(domain, regimes)
        assert spec.schema_version == 6
        assert spec.pci_tokenization.model_dump(mode="json") == CLOSED
        assert all(c.feature != "pci_tokenization" for c in spec.controls)


def test_with_pci_the_card_field_is_tokenised_masked_and_detokenised_by_nobody() -> None:
    spec, _ = catalogue_security("fintech", ["sox", "pci_dss"])
    tokens = spec.pci_tokenization
    assert [(f.entity, f.field) for f in tokens.fields] == [("Card", "card_token")]
    assert (tokens.mask, tokens.detokenize_roles, tokens.deterministic) == ("last4", [], False)
    controls = [(c.control_id, c.feature) for c in spec.controls if c.regime == "pci_dss"]
    assert ("Req. 3.5.1", "pci_tokenization") in controls


def test_a_v5_answer_upgrades_with_nothing_tokenised_and_nobody_detokenising() -> None:
    dumped, _ = _fintech()
    v5 = {k: v for k, v in dumped.items() if k != "pci_tokenization"} | {"schema_version": 5}
    upgraded = slot_migrations().migrate_slot("slot_security_compliance", v5, {})
    assert upgraded == v5 | {"schema_version": 6, "pci_tokenization": CLOSED}


def test_a_card_field_with_a_detokenising_role_is_accepted() -> None:
    dumped, context = _fintech()
    role = dumped["roles"][-1]["name"]
    dumped["pci_tokenization"] = {
        "fields": [{"entity": "Card", "field": "card_token"}],
        "mask": "bin_last4",
        "detokenize_roles": [role],
        "deterministic": True,
    }
    spec = _validate(dumped, context)
    assert [(f.entity, f.field) for f in spec.pci_tokenization.fields] == [("Card", "card_token")]
    assert spec.pci_tokenization.detokenize_roles == [role]


@pytest.mark.parametrize(
    ("tokenization", "message"),
    [
        ({"fields": [{"entity": "Card", "field": "nope"}]}, "not a field of the core spec"),
        ({"fields": [{"entity": "Card", "field": "expiry_year"}]}, "must be a string or text"),
        ({"fields": [{"entity": "Card", "field": "pan_last4"}]}, "cannot hold a token"),
        (
            {"fields": [{"entity": "Card", "field": "card_token"}] * 2},
            "duplicate tokenized field",
        ),
        (
            {"fields": [{"entity": "Card", "field": "card_token"}], "detokenize_roles": ["x"]},
            "detokenize role 'x' is not a declared role",
        ),
        ({"detokenize_roles": ["admin"]}, "no field is tokenized"),
        ({"mask": "full"}, "mask"),
    ],
)
def test_tokenisation_settings_must_name_what_the_specs_hold(
    tokenization: dict[str, Any], message: str
) -> None:
    dumped, context = _fintech()
    dumped["pci_tokenization"] = CLOSED | tokenization
    with pytest.raises(ValidationError, match=message):
        _validate(dumped, context)


def test_a_tokenisation_control_needs_tokenised_fields() -> None:
    dumped, context = _fintech()
    dumped["controls"].append(
        {
            "regime": "pci_dss",
            "control_id": "3.5.1",
            "title": "PAN unreadable where stored",
            "feature": "pci_tokenization",
        }
    )
    with pytest.raises(ValidationError, match="needs pci_tokenization entries"):
        _validate(dumped, context)
