"""SOX over HTTP: settled and posted records stay as booked, approvals need a second person.

Driven by the security spec's ``sox_*`` lists of the fintech project: a teller cannot book a
transfer already SETTLED, nor one whose source is its destination; an administrator cannot
edit or delete a settled transfer or a ledger entry; nobody approves their own booking.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]


def _spec(target: Target, key: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = target.specs.security.get(key, [])
    assert rules, f"the fintech spec names no {key}"
    return rules


def _staff(admin: Api, role: str) -> Api:
    """A signed-in user of ``role``, made by the administrator."""
    credentials = {"email": f"{role}-{secrets.token_hex(6)}@example.com", "password": "p" * 40}
    created = admin.call("POST", "/admin/users", json={**credentials, "role": role})
    assert created.status_code == 201, created.text
    return Api(admin.base_url, admin.specs).sign_in(**credentials)


def _booker(target: Target, entity: str) -> str:
    """A non-administrator role allowed to create ``entity`` (the teller), else the admin."""
    admin = target.specs.admin_role
    roles = [r["name"] for r in target.specs.security["roles"] if r["name"] != admin]
    return next((r for r in roles if "create" in target.specs.actions(r, entity)), admin)


def test_nothing_is_booked_already_approved(fintech_target: Target) -> None:
    admin = fintech_target.admin()
    for rule in _spec(fintech_target, "sox_maker_checker"):
        entity, field, approved = rule["entity"], rule["status_field"], rule["approved_value"]
        booker = _staff(admin, _booker(fintech_target, entity))
        body = admin.body(entity, **{field: approved})
        booked = booker.call("POST", fintech_target.specs.route(entity), json=body)
        assert booked.status_code in (403, 409), (entity, booked.status_code, booked.text)


def test_the_maker_is_not_the_checker(fintech_target: Target) -> None:
    admin = fintech_target.admin()
    for rule in _spec(fintech_target, "sox_maker_checker"):
        entity, field, approved = rule["entity"], rule["status_field"], rule["approved_value"]
        record = admin.create(entity)
        url = f"{fintech_target.specs.route(entity)}/{record['id']}"
        own = admin.call("PATCH", url, json={field: approved})
        assert own.status_code == 403, (entity, "own approval", own.status_code)
        checker = _staff(admin, fintech_target.specs.admin_role)
        approved_now = checker.call("PATCH", url, json={field: approved})
        assert approved_now.status_code == 200, approved_now.text


def test_a_final_record_is_never_edited_or_deleted(fintech_target: Target) -> None:
    admin = fintech_target.admin()
    checker = _staff(admin, fintech_target.specs.admin_role)
    approvals = {r["entity"]: r for r in fintech_target.specs.security["sox_maker_checker"]}
    for rule in _spec(fintech_target, "sox_immutable_records"):
        entity = rule["entity"]
        record = admin.create(entity)
        url = f"{fintech_target.specs.route(entity)}/{record['id']}"
        approval = approvals.get(entity)
        if rule["status_field"] is not None:
            assert approval is not None, entity
            assert approval["approved_value"] in rule["final_values"], entity
            settle = {approval["status_field"]: approval["approved_value"]}
            assert checker.call("PATCH", url, json=settle).status_code == 200
        stored = admin.call("GET", url).json()
        for who in (admin, checker):
            edited = who.call("PATCH", url, json={})
            assert edited.status_code == 409, (entity, "edit", edited.status_code)
            assert who.call("DELETE", url).status_code == 409, (entity, "delete")
        assert admin.call("GET", url).json() == stored, (entity, "left as booked")
        correction = admin.create(entity)  # corrections are new, reversing records
        assert correction["id"] != record["id"]


def test_paired_references_never_name_one_record(fintech_target: Target) -> None:
    admin = fintech_target.admin()
    for rule in _spec(fintech_target, "sox_distinct_references"):
        entity = rule["entity"]
        columns = [
            r["column"]
            for r in fintech_target.specs.entity(entity)["relationships"]
            if r["name"] in rule["references"]
        ]
        booker = _staff(admin, _booker(fintech_target, entity))
        body = admin.body(entity)
        body[columns[1]] = body[columns[0]]
        booked = booker.call("POST", fintech_target.specs.route(entity), json=body)
        assert booked.status_code in (409, 422), (entity, booked.status_code)
