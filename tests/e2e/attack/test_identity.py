"""Attacks on identity: sign-up, privilege of self-registered users, the first administrator."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.attack.conftest import ADMIN_EMAIL, Target

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


def _account(target: Target) -> dict[str, str]:
    """An account of a non-administrator role, created by the administrator over the API."""
    roles = [role["name"] for role in target.specs.security["roles"]]
    role = next((name for name in roles if name != target.specs.admin_role), roles[0])
    credentials = _credentials()
    created = target.admin().call("POST", "/admin/users", json={**credentials, "role": role})
    assert created.status_code == 201, created.text
    return credentials


def _sign_in(target: Target, credentials: dict[str, str]) -> dict[str, str]:
    response = target.anonymous.call("POST", "/auth/token", json=credentials)
    assert response.status_code == 200, response.text
    pair: dict[str, str] = response.json()
    return pair


def _me(target: Target, pair: dict[str, str]) -> int:
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    return target.anonymous.call("GET", "/auth/me", headers=headers).status_code


def _refresh(target: Target, pair: dict[str, str]) -> tuple[int, dict[str, str]]:
    body = {"refresh_token": pair["refresh_token"]}
    response = target.anonymous.call("POST", "/auth/refresh", json=body)
    return response.status_code, response.json()


def test_the_session_operations_are_published(target: Target) -> None:
    paths = target.anonymous.call("GET", "/openapi.json").json()["paths"]
    for path in ("/auth/refresh", "/auth/logout", "/auth/password"):
        assert "post" in paths.get(path, {}), path
    token = paths["/auth/token"]["post"]["responses"]["200"]["content"]["application/json"]
    assert token["schema"]["$ref"].endswith("/TokenResponse")


def test_a_replayed_refresh_token_ends_its_whole_session(target: Target) -> None:
    credentials = _account(target)
    stolen = _sign_in(target, credentials)
    assert "refresh_token" in stolen
    status, rotated = _refresh(target, stolen)
    assert status == 200
    assert rotated["refresh_token"] != stolen["refresh_token"]
    assert _me(target, rotated) == 200
    elsewhere = _sign_in(target, credentials)
    assert _refresh(target, stolen)[0] == 401  # the thief (or the owner) replays it
    assert _refresh(target, rotated)[0] == 401  # so the whole family is revoked
    assert _me(target, rotated) == 401  # with its access token
    assert _me(target, elsewhere) == 200  # another sign-in is another session
    assert _refresh(target, {"refresh_token": secrets.token_urlsafe(32)})[0] == 401


def test_logout_ends_the_access_and_the_refresh_token(target: Target) -> None:
    pair = _sign_in(target, _account(target))
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert target.anonymous.call("POST", "/auth/logout", headers=headers).status_code == 204
    assert _me(target, pair) == 401
    assert _refresh(target, pair)[0] == 401
    assert target.anonymous.call("POST", "/auth/logout").status_code == 401


def test_a_password_change_needs_the_current_password_and_ends_other_sessions(
    target: Target,
) -> None:
    credentials = _account(target)
    mine, stolen = _sign_in(target, credentials), _sign_in(target, credentials)
    headers = {"Authorization": f"Bearer {stolen['access_token']}"}
    new_password = "n" * 40
    guessed = target.anonymous.call(
        "POST",
        "/auth/password",
        json={"current_password": "guess-" * 4, "new_password": new_password},
        headers=headers,
    )
    assert guessed.status_code == 403  # a stolen access token cannot take the account over
    headers = {"Authorization": f"Bearer {mine['access_token']}"}
    changed = target.anonymous.call(
        "POST",
        "/auth/password",
        json={"current_password": credentials["password"], "new_password": new_password},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text
    assert _me(target, mine) == 200
    assert _me(target, stolen) == 401
    assert _refresh(target, stolen)[0] == 401
    old = target.anonymous.call("POST", "/auth/token", json=credentials)
    assert old.status_code == 401
    user_id = target.anonymous.sign_in(credentials["email"], new_password).call("GET", "/auth/me")
    audit = target.admin().call(
        "GET", "/audit", params={"action": "password_change", "entity_id": user_id.json()["id"]}
    )
    assert audit.status_code == 200
    assert audit.json()["total"] == 1, audit.text
