"""The Django renderer's schema types publish the HTTP contract FastAPI's do."""

from __future__ import annotations

from template_extensions.django_filters import money_bounds, ninja_constraints, ninja_type


def test_an_amount_is_money_with_its_bounds_in_its_own_alias() -> None:
    price = {"name": "price", "type": "decimal", "required": True, "minimum": 0, "maximum": 1e6}
    assert ninja_type(price) == "Money"
    assert money_bounds(price) == ['ge=Decimal("0")', 'le=Decimal("1000000.0")']
    # A bound on the field itself would not reach the validated type of ``Money | None``.
    assert ninja_constraints(price) == []


def test_an_unbounded_amount_has_no_alias_and_huge_bounds_are_clamped_to_the_column() -> None:
    assert money_bounds({"name": "total", "type": "decimal"}) == []
    huge = {"name": "total", "type": "decimal", "minimum": -1e15, "maximum": 1e15}
    assert money_bounds(huge) == ['ge=Decimal("-9999999999.99")', 'le=Decimal("9999999999.99")']


def test_an_address_is_published_as_the_validator_takes_it() -> None:
    assert ninja_type({"name": "email", "type": "email"}) == "Email"
