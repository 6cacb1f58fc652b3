"""PCI DSS: a full card number is refused in every text field, cardholder-data ones included.

In the fintech project (PCI DSS selected), a Luhn-valid card number goes into the card token
(as a token-looking value that passes the field's pattern) and into every free-text field
(memos, notes): each is answered 422 (problem+json) without the number, and afterwards no
table of the database holds it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.attack.conftest import Target
from tests.e2e.attack.specs import tokenized_fields
from tests.e2e.attack.test_personal_data import table_cells

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

PAN = "4111111111111111"
"""A Luhn-valid test card number."""

GROUPED = "4111 1111 1111 1111"
"""The same number as printed on a card."""


def _free_text_fields(target: Target) -> list[tuple[str, dict[str, Any]]]:
    """(entity, field) of every string or text field without a pattern that can hold a PAN."""
    return [
        (entity["name"], field)
        for entity in target.specs.core["entities"]
        for field in entity["fields"]
        if field["type"] in ("string", "text")
        and not field.get("pattern")
        and (field.get("max_length") or 100) >= len(PAN)
    ]


def _stored_nowhere(target: Target) -> None:
    found = [place for place, cell in table_cells(target.database) if PAN.encode() in cell]
    assert not found, found


def _refused(response: Any) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert PAN not in response.text
    assert GROUPED not in response.text


def test_pci_is_selected(fintech_target: Target) -> None:
    assert "pci_dss" in fintech_target.specs.answers["compliance"]


def test_a_card_number_in_the_card_token_is_refused(fintech_target: Target) -> None:
    """A token-looking value holding a PAN is refused; so is a bare PAN, unless the spec
    tokenises the field (then the PAN becomes a token: tests/e2e/attack/test_pci_tokens.py)."""
    admin = fintech_target.admin()
    route = fintech_target.specs.route("Card")
    tokenized = "card_token" in tokenized_fields(fintech_target.specs, "Card")
    for token in (f"tok_{PAN}",) if tokenized else (f"tok_{PAN}", GROUPED):
        _refused(admin.call("POST", route, json=admin.body("Card", card_token=token)))
    _stored_nowhere(fintech_target)


def test_a_card_number_in_free_text_is_refused(fintech_target: Target) -> None:
    admin = fintech_target.admin()
    fields = _free_text_fields(fintech_target)
    assert fields
    bodies: dict[str, dict[str, Any]] = {}
    for entity, field in fields:
        body = bodies.setdefault(entity, admin.body(entity))
        limit = field.get("max_length") or 100
        route = fintech_target.specs.route(entity)
        for value in (GROUPED, PAN, f"card {PAN} ok"):
            if len(value) <= limit:
                _refused(admin.call("POST", route, json=body | {field["name"]: value}))
    # A valid record, changed to hold a card number, is refused too.
    entity, field = fields[0]
    record = admin.create(entity)
    url = f"{fintech_target.specs.route(entity)}/{record['id']}"
    _refused(admin.call("PATCH", url, json={field["name"]: PAN}))
    _stored_nowhere(fintech_target)
