"""Jinja extension of the backendgen template: the compliance traceability matrix.

``compliance_matrix(slot_security_compliance, slot_core_backend, auth)`` (a template global;
the slots are passed by name so that staging sees which slots the file reads) gives every
feature that implements controls (with the file and top-level name of its code, or ``None``
where this configuration lacks it) and every declared control with that code and the test
node ids that prove it. ``security/compliance/controls.yaml`` and ``docs/COMPLIANCE.md``
render from it, so the two can never disagree. Standard library and Jinja only: it runs in
plain ``copier copy`` and ``copier update``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

COMPLIANCE_TESTS = "tests/integration/test_compliance.py"
"""The generated test module with one parametrised proof per control and feature."""

_CHAIN = "tests/integration/test_audit_chain.py::"
_UNIT = "tests/unit/security/"
_SOX = "tests/integration/test_sox.py::"

_SOX_CODE = "security/policies/sox.py"

_GLASS = "tests/integration/test_break_glass.py::"

_TOKENS = "tests/integration/test_card_tokens.py::"
_VAULT = "tests/unit/security/test_card_vault.py::"

SPEC_PROOFS = {
    "sox_immutability": f"{_SOX}test_a_final_record_is_never_changed_or_deleted",
    "sox_maker_checker": f"{_SOX}test_an_approval_needs_a_second_person",
    "sox_distinct_references": f"{_SOX}test_paired_references_never_name_the_same_record",
    "hipaa_minimum_necessary": "tests/integration/test_minimum_necessary.py::"
    "test_a_role_reads_none_of_the_phi_it_does_not_need",
    "hipaa_break_glass": "tests/integration/test_break_glass.py::"
    "test_a_grant_opens_the_withheld_phi_for_its_time_only",
    "pci_tokenization": f"{_TOKENS}test_a_card_number_is_stored_as_a_token_and_answered_masked",
}
"""Features proven by a test module of their own rather than the compliance tests."""

_SPEC_LISTS = {
    "sox_immutability": "sox_immutable_records",
    "sox_maker_checker": "sox_maker_checker",
    "sox_distinct_references": "sox_distinct_references",
    "hipaa_minimum_necessary": "hipaa_minimum_necessary",
}
"""Feature -> the spec list it acts on: without entries the feature is not in the project."""


def _features(answers: Mapping[str, Any]) -> dict[str, tuple[str, str] | None]:
    """Feature -> (file, name) of its code in this configuration, or ``None``."""
    security = answers.get("slot_security_compliance") or {}
    jwt = answers.get("auth") == "jwt"
    audit = bool(security.get("audit_log", True))
    gdpr = any(c.get("regime") == "gdpr" for c in security.get("controls", []))
    return {
        "audit_log": ("security/compliance/audit.py", "install_audit_listeners") if audit else None,
        "field_encryption": ("security/encryption/fields.py", "EncryptedText")
        if security.get("encrypted_fields")
        else None,
        "access_control": ("security/auth/dependencies.py", "require_permission") if jwt else None,
        "data_export": ("security/compliance/router.py", "export_record"),
        "right_to_erasure": ("security/compliance/router.py", "erase_record"),
        "retention": ("security/compliance/retention.py", "apply_retention")
        if security.get("retention")
        else None,
        "password_policy": ("security/auth/router.py", "register") if jwt else None,
        "token_expiry": ("security/auth/tokens.py", "decode_access_token") if jwt else None,
        "card_number_guard": ("security/policies/card_numbers.py", "CardNumberGuard")
        if security.get("pan_guard")
        else None,
        "sox_immutability": (_SOX_CODE, "is_final"),
        "sox_maker_checker": (_SOX_CODE, "check_write"),
        "sox_distinct_references": (_SOX_CODE, "check_write"),
        "hipaa_minimum_necessary": ("security/policies/minimum_necessary.py", "redact"),
        "documentation_retention": ("security/compliance/retention.py", "retention_cutoff"),
        "consent": ("security/compliance/rights_router.py", "record_consent") if gdpr else None,
        "hipaa_break_glass": ("security/policies/break_glass.py", "active_grant")
        if jwt and (security.get("break_glass") or {}).get("roles")
        else None,
        "pci_tokenization": ("security/policies/card_vault.py", "tokenize")
        if jwt and (security.get("pci_tokenization") or {}).get("fields")
        else None,
    } | {
        feature: None
        for feature, spec_list in _SPEC_LISTS.items()
        if not (jwt and security.get(spec_list))
    }


_RIGHTS = "tests/integration/test_subject_rights.py::"


def _has_pii(entity: Mapping[str, Any]) -> bool:
    return any(f.get("pii") or f.get("phi") for f in entity.get("fields", []))


def _rights_tests(security: Mapping[str, Any], core: Mapping[str, Any]) -> dict[str, list[str]]:
    """The data-subject rights tests this configuration renders (as their template decides)."""
    entities = list(core.get("entities", []))
    personal = {e["name"] for e in entities if _has_pii(e)}
    if not personal:
        return {}
    actions = {
        (c["entity"], c["relationship"]): c.get("action", "anonymize")
        for c in security.get("erasure_cascades", [])
    }
    cascade = any(
        actions.get((e["name"], r["name"]), "anonymize") == "anonymize"
        for e in entities
        if e["name"] in personal
        for r in e.get("relationships", [])
        if r.get("target") in personal and r.get("target") != e["name"]
    )
    deleted = {p["entity"] for p in security.get("retention", []) if p.get("action") == "delete"}
    referenced = any(
        r.get("target") in deleted and r.get("target") != e["name"] and r.get("required", True)
        for e in entities
        for r in e.get("relationships", [])
    )
    read_back = f"{_RIGHTS}test_an_erased_record_reads_validates_and_shows_no_personal_value"
    erasure = [f"{read_back}[{name}]" for name in sorted(personal)]
    if cascade:
        erasure += [
            f"{_RIGHTS}test_erasure_cascades_and_the_export_holds_the_linked_records",
            f"{_RIGHTS}test_a_held_subject_is_not_erased_until_released",
        ]
    return {
        "right_to_erasure": erasure,
        "data_export": [f"{_RIGHTS}test_erasure_cascades_and_the_export_holds_the_linked_records"]
        if cascade
        else [],
        "retention": [f"{_RIGHTS}test_retention_skips_and_reports_referenced_and_held_records"]
        if referenced
        else [],
    }


_ROTATION = "tests/integration/test_key_rotation.py::"
"""The key-rotation tests of the generated project."""


def _unique_blind_index(security: Mapping[str, Any], core: Mapping[str, Any]) -> bool:
    """Whether an encrypted field with a blind index is unique (the rotation tests need one)."""
    unique = {
        (entity.get("name"), field.get("name"))
        for entity in core.get("entities", [])
        for field in entity.get("fields", [])
        if field.get("unique")
    }
    return any(
        (item.get("entity"), item.get("field")) in unique
        for item in security.get("encrypted_fields", [])
        if item.get("blind_index")
    )


def _supporting(answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Feature -> tests beyond the control's own proof that exercise the implementation."""
    security = answers.get("slot_security_compliance") or {}
    core = answers.get("slot_core_backend") or {}
    jwt = answers.get("auth") == "jwt"
    rotation = (
        [
            f"{_ROTATION}test_rotation_rewrites_values_so_the_old_key_can_go",
            *(
                [
                    f"{_ROTATION}test_unique_blind_index_holds_across_a_rotation",
                    f"{_ROTATION}test_an_interrupted_rotation_resumes_where_it_stopped",
                ]
                if _unique_blind_index(security, core)
                else []
            ),
        ]
        if security.get("encrypted_fields") and core.get("entities")
        else []
    )
    return {
        "audit_log": [
            f"{_CHAIN}test_editing_an_entry_is_found_at_that_entry",
            f"{_CHAIN}test_deleting_an_entry_is_found",
            f"{_CHAIN}test_cutting_entries_off_the_end_is_found",
            f"{_CHAIN}test_the_command_reports_an_intact_log_and_a_broken_one",
        ],
        "field_encryption": [
            f"{_UNIT}test_field_encryption.py::test_tampered_value_is_refused",
            f"{_UNIT}test_field_encryption.py::test_value_moved_to_another_row_or_column_is_refused",
            f"{_UNIT}test_field_encryption.py::test_plaintext_written_around_the_orm_is_refused",
            *rotation,
        ],
        "access_control": [
            f"{_UNIT}test_permission_matrix.py::test_grants_are_exactly_the_declared_actions",
            f"{_UNIT}test_permission_matrix.py::test_unknown_role_may_do_nothing",
        ]
        if jwt
        else [],
        "password_policy": [f"{_UNIT}test_passwords.py::test_hash_is_argon2id_and_not_the_password"]
        if jwt
        else [],
        "token_expiry": [f"{_UNIT}test_tokens.py::test_expired_token_is_rejected"] if jwt else [],
        "card_number_guard": [
            f"{_UNIT}test_card_numbers.py::test_luhn",
            f"{_UNIT}test_card_numbers.py::test_a_body_holding_a_card_number_is_refused_without_the_number",
            "tests/integration/test_card_numbers.py::test_every_body_with_text_fields_is_guarded",
        ],
        "hipaa_break_glass": [
            f"{_GLASS}test_a_reason_is_mandatory_and_the_lifetime_bounded",
            f"{_GLASS}test_only_the_eligible_roles_break_glass",
            f"{_GLASS}test_a_record_grant_opens_that_record_only",
            f"{_GLASS}test_a_revoked_grant_opens_nothing",
            f"{_GLASS}test_the_auditor_lists_the_grants_and_the_log_has_each_use",
            f"{_GLASS}test_an_alert_fires_on_every_grant_opened",
        ],
        "pci_tokenization": [
            f"{_VAULT}test_a_card_number_is_stored_only_as_a_ciphertext_bound_to_its_token",
            f"{_VAULT}test_the_general_field_key_does_not_open_the_vault",
            f"{_VAULT}test_the_masked_form_shows_at_most_the_first_six_and_last_four_digits",
            f"{_TOKENS}test_only_the_roles_the_spec_names_detokenise_and_each_attempt_is_audited",
        ],
        **_rights_tests(security, core),
    }


def _own_proofs(security: Mapping[str, Any], feature: str, control_id: str) -> list[str]:
    """The control's own parametrised proofs in the compliance tests (one per encrypted field)."""
    if feature in SPEC_PROOFS:
        return [SPEC_PROOFS[feature]]
    test = f"{COMPLIANCE_TESTS}::test_{feature}"
    if feature == "field_encryption" and security.get("encrypted_fields"):
        return [
            f"{test}[{item['entity']}-{item['field']}-{control_id}]"
            for item in security["encrypted_fields"]
        ]
    return [f"{test}[{control_id}]"]


def compliance_matrix(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Return the traceability matrix of a project from its answers.

    Args:
        answers: ``auth``, ``slot_security_compliance`` and ``slot_core_backend``.

    Returns:
        ``{"features": {feature: {"file", "symbol"} | None}, "controls": [...]}``; each control
        has ``regime``, ``control_id``, ``requirement``, ``feature``, ``implemented_by`` (as a
        feature) and ``proven_by`` (pytest node ids, the control's own proof first).
    """
    features = {
        name: None if place is None else {"file": place[0], "symbol": place[1]}
        for name, place in _features(answers).items()
    }
    supporting = _supporting(answers)
    security = answers.get("slot_security_compliance") or {}
    controls = []
    for control in security.get("controls", []):
        feature = str(control["feature"])
        place = features.get(feature)
        own = _own_proofs(security, feature, f"{control['regime']}:{control['control_id']}")
        controls.append(
            {
                "regime": control["regime"],
                "control_id": control["control_id"],
                "requirement": control["title"],
                "feature": feature,
                "implemented_by": place,
                "proven_by": [*own, *(supporting.get(feature, []) if place else [])],
            }
        )
    return {"features": features, "controls": controls}


def _matrix_of(security: Mapping[str, Any], core: Mapping[str, Any], auth: str) -> dict[str, Any]:
    return compliance_matrix(
        {"slot_security_compliance": security, "slot_core_backend": core, "auth": auth}
    )


class ComplianceExtension(Extension):
    """Adds the ``compliance_matrix()`` global to the template's environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["compliance_matrix"] = _matrix_of
