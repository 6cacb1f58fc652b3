"""Slot specs: validation, cross-agent consistency with context, and round-trips."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec, FieldSpec, RelationshipSpec
from backendgen.agents.monitoring_observability import AlertSpec, MonitoringObservabilitySpec
from backendgen.agents.security_compliance import (
    EncryptedFieldSpec,
    PermissionSpec,
    RoleSpec,
    SecurityComplianceSpec,
)
from backendgen.agents.testing_qa import TestingQaSpec as QaSpec
from backendgen.domain.naming import kebab, pascal, plural, snake
from backendgen.domain.samples import InvalidPayloadSpec


def _core() -> CoreBackendSpec:
    return CoreBackendSpec(
        entities=[
            EntitySpec(
                name="Customer",
                fields=[
                    FieldSpec(name="email", type="email", max_length=100, unique=True, pii=True),
                    FieldSpec(name="notes", type="text", required=False),
                ],
            ),
            EntitySpec(
                name="OrderItem",
                fields=[FieldSpec(name="quantity", type="integer", minimum=1)],
                relationships=[RelationshipSpec(name="customer", target="Customer")],
            ),
        ]
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("OrderItem", "order_item"),
        ("HTTPServer", "http_server"),
        ("order-item", "order_item"),
        ("already_snake", "already_snake"),
        ("Category2Tag", "category2_tag"),
    ],
)
def test_snake(word: str, expected: str) -> None:
    assert snake(word) == expected


def test_plural_kebab_pascal() -> None:
    assert [plural(w) for w in ("category", "status", "box", "order_item", "day")] == [
        "categories",
        "statuses",
        "boxes",
        "order_items",
        "days",
    ]
    assert kebab("OrderItem") == "order-item"
    assert pascal("order_item") == "OrderItem"


def test_derived_names_and_migration_chain() -> None:
    core = _core()
    item = core.entity("OrderItem")
    assert item is not None
    assert (item.module, item.table, item.route) == ("order_item", "order_items", "order-items")
    assert core.ordered_entities == ["Customer", "OrderItem"]
    assert [m["down_revision"] for m in core.migrations] == ["0000_base", "0001_customer"]
    assert "/api/v1/order-items/{id}" in core.endpoints()


def test_spec_round_trips_through_its_json_dump() -> None:
    core = _core()
    assert CoreBackendSpec.model_validate(core.model_dump(mode="json")) == core


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "enum"}, "names no enum"),
        ({"type": "string", "max_length": None}, "needs a max_length"),
        ({"minimum": 5, "maximum": 1}, "minimum > maximum"),
    ],
)
def test_field_constraints(change: dict[str, object], message: str) -> None:
    data = {"name": "x", "type": "integer"} | change
    with pytest.raises(ValidationError, match=message):
        FieldSpec.model_validate(data)


def test_core_rejects_unknown_targets_and_duplicates() -> None:
    with pytest.raises(ValidationError, match="unknown entity 'Ghost'"):
        CoreBackendSpec(
            entities=[
                EntitySpec(
                    name="A",
                    fields=[FieldSpec(name="n", type="integer")],
                    relationships=[RelationshipSpec(name="g", target="Ghost")],
                )
            ]
        )
    with pytest.raises(ValidationError, match="duplicate entity names"):
        CoreBackendSpec(
            entities=[EntitySpec(name="A", fields=[FieldSpec(name="n", type="integer")])] * 2
        )


def _security(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "roles": [RoleSpec(name="admin"), RoleSpec(name="viewer")],
        "permissions": [PermissionSpec(role="viewer", entity="Customer", actions=["read"])],
        "encrypted_fields": [EncryptedFieldSpec(entity="Customer", field="notes")],
    } | overrides
    return {key: [item.model_dump() for item in value] for key, value in data.items()}  # type: ignore[attr-defined]


def test_security_is_consistent_with_core() -> None:
    spec = SecurityComplianceSpec.model_validate(_security(), context={"core_backend": _core()})
    assert spec.auth.default_role == "viewer"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"permissions": [PermissionSpec(role="viewer", entity="Invoice", actions=["read"])]},
            "unknown entity 'Invoice'",
        ),
        (
            {"permissions": [PermissionSpec(role="auditor", entity="Customer", actions=["read"])]},
            "unknown role 'auditor'",
        ),
        (
            {"encrypted_fields": [EncryptedFieldSpec(entity="Customer", field="ssn")]},
            "unknown field 'Customer.ssn'",
        ),
        (
            {"encrypted_fields": [EncryptedFieldSpec(entity="Customer", field="email")]},
            "is unique and needs a blind index",
        ),
        (
            {
                "encrypted_fields": [
                    EncryptedFieldSpec(entity="OrderItem", field="quantity", pci=True)
                ]
            },
            "must be a string or text field",
        ),
        ({"roles": [RoleSpec(name="viewer"), RoleSpec(name="viewer")]}, "duplicate role"),
    ],
)
def test_security_inconsistencies_are_validation_errors(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        SecurityComplianceSpec.model_validate(
            _security(**overrides), context={"core_backend": _core()}
        )


def test_every_field_type_can_be_encrypted_and_unique_ones_through_a_blind_index() -> None:
    fields = [
        EncryptedFieldSpec(entity="Customer", field="email", blind_index=True),
        EncryptedFieldSpec(entity="OrderItem", field="quantity"),
    ]
    spec = SecurityComplianceSpec.model_validate(
        _security(encrypted_fields=fields), context={"core_backend": _core()}
    )
    assert [f.field for f in spec.encrypted_fields] == ["email", "quantity"]


def test_a_blind_index_column_may_not_clash_with_a_field() -> None:
    core = _core()
    core.entities[0].fields.append(FieldSpec(name="email_bidx", type="text", required=False))
    with pytest.raises(ValidationError, match="clashes"):
        SecurityComplianceSpec.model_validate(
            _security(
                encrypted_fields=[
                    EncryptedFieldSpec(entity="Customer", field="email", blind_index=True)
                ]
            ),
            context={"core_backend": core},
        )


def test_monitoring_and_testing_check_entities_and_fields() -> None:
    alert = AlertSpec(
        name="GhostErrors", signal="error_rate", entity="Ghost", threshold=0.1, summary="s"
    )
    with pytest.raises(ValidationError, match="unknown entity 'Ghost'"):
        MonitoringObservabilitySpec.model_validate(
            {"alerts": [alert.model_dump()]}, context={"core_backend": _core()}
        )
    bad = InvalidPayloadSpec(entity="Customer", field="nickname", value=1, reason="r")
    with pytest.raises(ValidationError, match=r"unknown field 'Customer\.nickname'"):
        QaSpec.model_validate({"invalid": [bad.model_dump()]}, context={"core_backend": _core()})
