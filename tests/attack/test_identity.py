"""Attacks on identity: sign-up, privilege of self-registered users, the first administrator."""

from __future__ import annotations

import secrets

import pytest

from tests.attack.conftest import ADMIN_EMAIL, Target

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]


def _credentials() -> dict[str, str]:
    return {"email": f"intruder-{secrets.token_hex(6)}@example.com", "password": "p" * 40}


def test_sign_up_is_closed_by_default(target: Target) -> None:
    credentials = _credentials()
    response = target.anonymous.call("POST", "/auth/register", json=credentials)
    assert response.status_code in (403, 404, 405), response.text
    sign_in = target.anonymous.call("POST", "/auth/token", json=credentials)
    assert sign_in.status_code == 401


def test_the_bootstrap_administrator_signs_in_and_manages_users(target: Target) -> None:
    admin = target.admin()
    me = admin.call("GET", "/auth/me").json()
    assert (me["email"], me["role"]) == (ADMIN_EMAIL, target.specs.admin_role)
    listed = admin.call("GET", "/admin/users")
    assert listed.status_code == 200
    assert ADMIN_EMAIL in [user["email"] for user in listed.json()]


def test_open_sign_up_does_not_tell_which_addresses_have_accounts(open_target: Target) -> None:
    fresh = open_target.anonymous.call("POST", "/auth/register", json=_credentials())
    taken = open_target.anonymous.call(
        "POST", "/auth/register", json={"email": ADMIN_EMAIL, "password": "p" * 40}
    )
    assert fresh.status_code < 300
    assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
    assert open_target.admin().call("GET", "/auth/me").status_code == 200  # password kept


def test_a_self_registered_user_gets_least_privilege(open_target: Target) -> None:
    admin = open_target.admin()
    specs = open_target.specs
    scopes = {s["role"]: s for s in specs.security.get("row_scopes", [])}
    owned_rows = {}
    for entity in specs.core["entities"]:
        try:
            owned_rows[entity["name"]] = admin.create(entity["name"])["id"]
        except LookupError:
            continue
    credentials = _credentials()
    assert open_target.anonymous.call("POST", "/auth/register", json=credentials).status_code < 300
    user = open_target.anonymous.sign_in(**credentials)
    role = user.call("GET", "/auth/me").json()["role"]
    assert role != specs.admin_role
    assert user.call("GET", "/admin/users").status_code == 403
    owned = {o["entity"] for o in scopes.get(role, {}).get("owned", [])}
    for name in owned_rows:
        entity = specs.entity(name)
        listed = user.call("GET", specs.route(name))
        if listed.status_code == 403:
            continue
        assert listed.status_code == 200
        seen = listed.json()["total"]
        # Beyond its own rows (none yet) it may read only records without personal data.
        assert name not in owned or seen == 0, name
        assert not entity["has_pii"] or seen == 0, name
