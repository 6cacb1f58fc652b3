"""Names that would break Python or SQL are renamed with every reference, and reported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from backendgen.agents.core_backend import EntitySpec, FieldSpec, RelationshipSpec
from backendgen.questions.domain import load_yaml_domain

DOMAIN = {
    "entities": [
        {
            "name": "User",
            "fields": [
                {"name": "class", "type": "string", "max_length": 20},
                {"name": "order", "type": "integer"},
            ],
        },
        {
            "name": "Booking",
            "fields": [
                {"name": "date", "type": "date"},
                {"name": "kind", "type": "enum", "enum": "Enum"},
            ],
            "relationships": [{"name": "from", "target": "User"}],
        },
    ],
    "enums": [{"name": "Enum", "values": ["A", "B"]}],
    "roles": [{"name": "admin", "permissions": {"User": ["read"]}}],
    "retention": {"User": 30},
    "samples": {"User": {"class": "first", "order": 3}},
    "invalid": [{"entity": "User", "field": "order", "value": "x", "reason": "wrong type"}],
}


def test_yaml_domain_renames_reserved_names_and_their_references(tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text(yaml.safe_dump(DOMAIN))
    domain, warnings = load_yaml_domain(path)
    user = next(e for e in domain.entities if e.name == "AppUser")
    booking = next(e for e in domain.entities if e.name == "Booking")
    assert [f.name for f in user.fields] == ["class_value", "order_value"]
    assert [f.name for f in booking.fields] == ["date_value", "kind"]
    assert booking.fields[1].enum == "AppEnum"
    assert (booking.relationships[0].name, booking.relationships[0].target) == (
        "from_value",
        "AppUser",
    )
    assert domain.samples == {"AppUser": {"class_value": "first", "order_value": 3}}
    assert (domain.invalid[0].entity, domain.invalid[0].field) == ("AppUser", "order_value")
    assert domain.roles[0].permissions == {"AppUser": ["read"]}
    assert domain.retention == {"AppUser": 30}
    assert len(warnings) == 6
    assert all(w.startswith(f"{path}: ") for w in warnings)
    assert any("Booking.from renamed to 'from_value'" in w for w in warnings)


@pytest.mark.parametrize(
    ("build", "suggestion"),
    [
        (lambda: FieldSpec(name="class", type="integer"), "class_value"),
        (lambda: FieldSpec(name="select", type="integer"), "select_value"),
        (lambda: RelationshipSpec(name="import", target="A"), "import_value"),
        (lambda: EntitySpec(name="User", fields=[FieldSpec(name="n", type="integer")]), "AppUser"),
    ],
)
def test_specs_reject_reserved_names_with_a_suggestion(build: object, suggestion: str) -> None:
    with pytest.raises(ValidationError, match=suggestion):
        build()  # type: ignore[operator]
