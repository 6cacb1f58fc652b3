"""The conformance suite's cases come from the specs: every role x entity x action cell."""

from __future__ import annotations

from typing import Any

from tests.e2e.attack.specs import Specs
from tests.e2e.conformance.cases import ACTIONS, CONFORMANCE_ANSWERS, blueprint_specs, matrix


def test_the_matrix_has_a_cell_per_role_entity_and_action() -> None:
    for answers in CONFORMANCE_ANSWERS:
        specs = blueprint_specs(answers)
        cells = matrix(specs)
        roles, entities = specs.security["roles"], specs.core["entities"]
        assert len(cells) == len(roles) * len(entities) * len(ACTIONS)
        assert len({c.id for c in cells}) == len(cells)
        assert any(c.allowed for c in cells)
        assert not all(c.allowed for c in cells)


def _specs(permissions: list[dict[str, Any]], scopes: list[dict[str, Any]]) -> Specs:
    core = {"entities": [{"name": "Customer"}, {"name": "Order"}]}
    roles = [{"name": "admin"}, {"name": "customer"}]
    security = {"roles": roles, "permissions": permissions, "row_scopes": scopes}
    return Specs({"slot_core_backend": core, "slot_security_compliance": security})


def test_a_cell_is_allowed_exactly_when_the_matrix_grants_it() -> None:
    specs = _specs([{"role": "customer", "entity": "Order", "actions": ["read"]}], [])
    allowed = {c.id for c in matrix(specs) if c.allowed}
    assert allowed == {"customer-Order-read"}


def test_a_scoped_role_never_creates_its_principal() -> None:
    owned = [{"entity": "Customer", "via": []}, {"entity": "Order", "via": ["customer"]}]
    scope = {"role": "customer", "principal": "Customer", "owned": owned}
    grants = [
        {"role": "customer", "entity": name, "actions": ["create", "read"]}
        for name in ("Customer", "Order")
    ]
    allowed = {c.id for c in matrix(_specs(grants, [scope])) if c.allowed}
    assert allowed == {"customer-Customer-read", "customer-Order-create", "customer-Order-read"}
