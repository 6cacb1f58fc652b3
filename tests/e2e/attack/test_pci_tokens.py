"""PCI DSS tokenisation over HTTP: card numbers become tokens, and only the vault holds them.

Driven by the security spec's ``pci_tokenization`` of the fintech project (PCI DSS selected)
and by its OpenAPI document: each tokenised field takes a card number and answers with a
token and a masked form showing at most the first six and last four digits (PCI DSS 3.3);
afterwards no table of the database holds the number, in any spelling; no response does; and
detokenisation (``POST /card-vault/detokenize``) is refused (403) to every role, the
administrator included, since the spec names none by default.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target
from tests.e2e.attack.specs import card_number
from tests.e2e.attack.test_personal_data import table_cells

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

DETOKENIZE = "/card-vault/detokenize"
"""The detokenisation route."""


def _tokenized(target: Target) -> list[tuple[str, str]]:
    tokens = target.specs.security.get("pci_tokenization") or {}
    fields = [(f["entity"], f["field"]) for f in tokens.get("fields", [])]
    assert fields, "the fintech spec tokenises no field"
    return fields


def _spellings(pan: str) -> list[bytes]:
    """The card number as digits, in groups of four with spaces and with dashes."""
    groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    return [pan.encode(), " ".join(groups).encode(), "-".join(groups).encode()]


def _staff(admin: Api, role: str) -> Api:
    """A signed-in user of ``role``, made by the administrator."""
    credentials = {"email": f"{role}-{secrets.token_hex(6)}@example.com", "password": "p" * 40}
    created = admin.call("POST", "/admin/users", json={**credentials, "role": role})
    assert created.status_code == 201, created.text
    return Api(admin.base_url, admin.specs).sign_in(**credentials)


def _shows_at_most_bin_and_last4(masked: str, pan: str) -> bool:
    """Whether ``masked`` reveals no digit of ``pan`` but its first six and last four."""
    if len(masked) != len(pan) or not re.fullmatch(r"[0-9]{0,6}\*+[0-9]{4}", masked):
        return False
    head = len(masked) - len(masked.lstrip("0123456789"))
    return masked[:head] == pan[:head] and masked[-4:] == pan[-4:]


@pytest.fixture(scope="module")
def tokenised(fintech_target: Target) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(entity, field, PAN, record) of one record per tokenised field, the PAN sent grouped."""
    admin = fintech_target.admin()
    made = []
    for entity, field in _tokenized(fintech_target):
        pan = card_number(secrets.randbelow(10**14))
        grouped = " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))
        made.append((entity, field, pan, admin.create(entity, **{field: grouped})))
    return made


def test_the_openapi_document_publishes_the_masked_form(fintech_target: Target) -> None:
    openapi = fintech_target.admin().call("GET", "/openapi.json").json()
    schemas = openapi["components"]["schemas"]
    for entity, field in _tokenized(fintech_target):
        public = schemas[f"{entity}Public"]["properties"]
        assert {field, f"{field}_masked"} <= set(public), entity


def test_responses_hold_a_token_and_the_mask_never_the_number(
    fintech_target: Target, tokenised: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    admin = fintech_target.admin()
    for entity, field, pan, record in tokenised:
        route = fintech_target.specs.route(entity)
        read = admin.call("GET", f"{route}/{record['id']}")
        listed = admin.call("GET", route, params={"limit": 100})
        assert read.status_code == listed.status_code == 200
        for answer in (record, read.json()):
            assert pan[6:-4] not in answer[field], answer[field]
            assert answer[field] != pan
            assert _shows_at_most_bin_and_last4(answer[f"{field}_masked"], pan), answer
        for text in (str(record), read.text, listed.text):
            assert not any(form.decode() in text for form in _spellings(pan)), entity


def test_the_database_holds_no_card_number_in_any_table(
    fintech_target: Target, tokenised: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    wanted = [(pan, form) for _, _, pan, _ in tokenised for form in _spellings(pan)]
    found = [
        place
        for place, cell in table_cells(fintech_target.database)
        for pan, form in wanted
        if form in cell or pan[6:-4].encode() + pan[-4:].encode() in cell
    ]
    assert not found, found


def test_the_same_card_number_gets_a_new_token_by_default(
    fintech_target: Target, tokenised: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    assert not fintech_target.specs.security["pci_tokenization"].get("deterministic")
    admin = fintech_target.admin()
    entity, field, pan, record = tokenised[0]
    again = admin.create(entity, **{field: pan})
    assert again[field] != record[field]


def test_detokenisation_is_refused_to_every_role_by_default(
    fintech_target: Target, tokenised: list[tuple[str, str, str, dict[str, Any]]]
) -> None:
    specs = fintech_target.specs
    assert specs.security["pci_tokenization"].get("detokenize_roles") == []
    admin = fintech_target.admin()
    callers = {specs.admin_role: admin}
    for role in (r["name"] for r in specs.security["roles"][1:]):
        callers[role] = _staff(admin, role)
    _, field, pan, record = tokenised[0]
    for role, caller in callers.items():
        response = caller.call("POST", DETOKENIZE, json={"token": record[field]})
        assert response.status_code == 403, f"{role}: {response.status_code} {response.text}"
        assert pan not in response.text
    anonymous = fintech_target.anonymous.call("POST", DETOKENIZE, json={"token": record[field]})
    assert anonymous.status_code == 401
