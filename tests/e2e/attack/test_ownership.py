"""IDOR: a user limited to its own rows cannot read, list, change, delete or create another's.

A scope's principal is an entity (the user stands for one of its records, ``principal_id``) or
``User``, the users table itself (the user's own account is the principal record).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target
from tests.e2e.attack.specs import Specs

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

USERS = "User"
"""The principal naming the users table."""


def _cases(specs: Specs) -> list[tuple[str, str, str, list[str]]]:
    """(role, principal, entity, path) for each owned entity the role has actions on."""
    cases = []
    for scope in specs.security.get("row_scopes", []):
        for owned in scope["owned"]:
            path_ok, current = True, specs.entity(owned["entity"])
            for name in owned["via"]:
                rel = next(r for r in current["relationships"] if r["name"] == name)
                path_ok = path_ok and rel["required"]
                if rel["target"] == USERS:
                    break
                current = specs.entity(rel["target"])
            if path_ok and owned["via"] and specs.actions(scope["role"], owned["entity"]):
                cases.append((scope["role"], scope["principal"], owned["entity"], owned["via"]))
    return cases


def _user(admin: Api, role: str, principal_id: int) -> Api:
    """A user of ``role`` standing for ``principal_id``, made by the administrator.

    A backend without user administration gets a self-registered user of the role instead.
    """
    credentials = {"email": f"{role}-{secrets.token_hex(6)}@example.com", "password": "p" * 40}
    body = {**credentials, "role": role, "principal_id": principal_id}
    created = admin.call("POST", "/admin/users", json=body)
    if created.status_code in (404, 405):
        registered = Api(admin.base_url, admin.specs).call(
            "POST", "/auth/register", json=credentials
        )
        assert registered.json().get("role") == role, registered.text
    else:
        assert created.status_code == 201, created.text
    return Api(admin.base_url, admin.specs).sign_in(**credentials)


def _owner(admin: Api, role: str, principal: str) -> tuple[int, Api]:
    """A principal record and a signed-in user of ``role`` standing for it.

    Under the principal ``User`` the record is the user's own account, made by the
    administrator; otherwise a fresh record of the principal entity.
    """
    if principal != USERS:
        principal_id = admin.create(principal)["id"]
        return principal_id, _user(admin, role, principal_id)
    credentials = {"email": f"{role}-{secrets.token_hex(6)}@example.com", "password": "p" * 40}
    created = admin.call("POST", "/admin/users", json={**credentials, "role": role})
    assert created.status_code == 201, created.text
    return int(created.json()["id"]), Api(admin.base_url, admin.specs).sign_in(**credentials)


def _denied(response: Any) -> bool:
    return response.status_code in (403, 404)


def test_the_spec_names_owned_entities(owned_target: Target) -> None:
    assert _cases(owned_target.specs), "the domain must scope at least one role to its rows"


def test_another_owners_rows_are_out_of_reach(owned_target: Target) -> None:
    admin = owned_target.admin()
    specs = owned_target.specs
    cases = _cases(specs)
    assert cases, "no role of the spec is limited to its own rows"
    for role, principal, entity, via in cases:
        (owner_a, alice), (_, bob) = _owner(admin, role, principal), _owner(admin, role, principal)
        row_a = admin.create_owned(entity, via, owner_a)
        url = f"{specs.route(entity)}/{row_a['id']}"
        actions = specs.actions(role, entity)
        if "read" in actions:
            assert alice.call("GET", url).status_code == 200, (entity, "owner reads own row")
        assert _denied(bob.call("GET", url)), (entity, "read")
        listed = bob.call("GET", specs.route(entity), params={"limit": 100})
        assert _denied(listed) or row_a["id"] not in [i["id"] for i in listed.json()["items"]]
        assert _denied(bob.call("PATCH", url, json={})), (entity, "update")
        assert _denied(bob.call("DELETE", url)), (entity, "delete")
        column = next(r for r in specs.entity(entity)["relationships"] if r["name"] == via[0])
        body = admin.body(entity, **{column["column"]: row_a[column["column"]]})
        forged = bob.call("POST", specs.route(entity), json=body)
        assert _denied(forged), (entity, "create for another owner", forged.status_code)
        assert admin.call("GET", url).json() == row_a, (entity, "row left as it was")


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_denials_look_like_missing_rows(owned_target: Target, method: str) -> None:
    target = owned_target
    admin = target.admin()
    role, principal, entity, via = _cases(target.specs)[0]
    row = admin.create_owned(entity, via, _owner(admin, role, principal)[0])
    stranger = _owner(admin, role, principal)[1]
    url = f"{target.specs.route(entity)}/{row['id']}"
    missing = f"{target.specs.route(entity)}/2147483000"
    kwargs: dict[str, Any] = {"json": {}} if method == "PATCH" else {}
    theirs, absent = stranger.call(method, url, **kwargs), stranger.call(method, missing, **kwargs)
    assert _denied(theirs)
    assert theirs.status_code == absent.status_code
