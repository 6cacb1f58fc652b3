"""security_compliance v4: erasure cascades and HIPAA documentation retention in the spec.

The generated behaviour is proven by each project's own tests
(``tests/integration/test_subject_rights.py``, ``test_compliance.py``) and over HTTP by
``tests/e2e/attack/test_erasure.py``; this checks what the blueprint and the v3 -> v4 migration
put into the spec.
"""

from __future__ import annotations

import pytest

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.security_compliance import SecurityComplianceSpec
from backendgen.generator.spec_versions import slot_migrations
from tests.helpers import catalogue_security

SIX_YEARS = 6 * 365
"""HIPAA 164.316(b)(2)(i): documentation is retained six years (in days, leap days aside)."""


def _spec(domain_name: str, regimes: list[str]) -> tuple[BlueprintInput, SecurityComplianceSpec]:
    spec, source = catalogue_security(domain_name, regimes)
    return source, spec


def test_hipaa_keeps_records_instead_of_deleting_them_after_six_years() -> None:
    source, spec = _spec("healthcare", ["hipaa"])
    declared = dict(source.domain.retention)
    assert spec.documentation_retention_days >= SIX_YEARS
    # Only the domain's own retention periods delete anything; HIPAA adds no deletion.
    assert {p.entity: p.days for p in spec.retention} == declared
    control = next(c for c in spec.controls if c.control_id == "164.316(b)(2)")
    assert control.feature == "documentation_retention"


def test_without_hipaa_there_is_no_documentation_floor() -> None:
    _, spec = _spec("ecommerce", ["gdpr"])
    assert spec.documentation_retention_days == 0
    assert [c.control_id for c in spec.controls if c.feature == "consent"] == ["Art. 7"]


def test_an_encounter_is_its_patients_data_not_its_practitioners() -> None:
    source, spec = _spec("healthcare", ["gdpr", "hipaa"])
    actions = {(c.entity, c.relationship): c.action for c in spec.erasure_cascades}
    relationships = {(e.name, r.name) for e in source.core.entities for r in e.relationships}
    assert set(actions) == relationships
    assert actions[("Encounter", "patient")] == "anonymize"
    assert actions[("Encounter", "practitioner")] == "keep"
    assert actions[("Prescription", "encounter")] == "anonymize"


@pytest.mark.parametrize("domain_name", ["healthcare", "ecommerce"])
def test_the_migration_gives_a_v3_answer_the_blueprints_cascades(domain_name: str) -> None:
    source, spec = _spec(domain_name, ["gdpr", "hipaa"])
    dumped = spec.model_dump(mode="json")
    v3 = {
        k: v
        for k, v in dumped.items()
        if k not in ("erasure_cascades", "documentation_retention_days", "break_glass")
    }
    v3["schema_version"] = 3
    v3["controls"] = [
        {**c, "feature": "retention"} if c["feature"] == "documentation_retention" else c
        for c in v3["controls"]
        if c["feature"] != "hipaa_break_glass"  # v5
    ]
    answers = {"slot_core_backend": source.core.model_dump(mode="json")}
    upgraded = slot_migrations().migrate_slot("slot_security_compliance", v3, answers)
    assert upgraded["schema_version"] == 6
    assert upgraded["erasure_cascades"] == dumped["erasure_cascades"]
    assert upgraded["documentation_retention_days"] == dumped["documentation_retention_days"]
    assert upgraded["controls"] == [
        c for c in dumped["controls"] if c["feature"] != "hipaa_break_glass"
    ]
    assert upgraded["break_glass"]["roles"] == []


def test_a_cascade_must_name_a_relationship() -> None:
    source, spec = _spec("ecommerce", ["gdpr"])
    data = spec.model_dump(mode="json")
    data["erasure_cascades"] = [{"entity": "Customer", "relationship": "nothing"}]
    with pytest.raises(ValueError, match=r"unknown relationship 'Customer\.nothing'"):
        SecurityComplianceSpec.model_validate(data, context={"core_backend": source.core})
