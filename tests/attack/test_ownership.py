"""IDOR: a user limited to its own rows cannot read, list, change, delete or create another's."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.attack.api import Api
from tests.attack.conftest import Target
from tests.attack.specs import Specs

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]


def _cases(specs: Specs) -> list[tuple[str, str, str, list[str]]]:
    """(role, principal, entity, path) for each owned entity the role has actions on."""
    cases = []
    for scope in specs.security.get("row_scopes", []):
        for owned in scope["owned"]:
            path_ok, current = True, specs.entity(owned["entity"])
            for name in owned["via"]:
                rel = next(r for r in current["relationships"] if r["name"] == name)
                path_ok = path_ok and rel["required"]
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
        owner_a = admin.create(principal)["id"]
        owner_b = admin.create(principal)["id"]
        row_a = admin.create_owned(entity, via, owner_a)
        alice, bob = _user(admin, role, owner_a), _user(admin, role, owner_b)
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
    row = admin.create_owned(entity, via, admin.create(principal)["id"])
    stranger = _user(admin, role, admin.create(principal)["id"])
    url = f"{target.specs.route(entity)}/{row['id']}"
    missing = f"{target.specs.route(entity)}/2147483000"
    kwargs: dict[str, Any] = {"json": {}} if method == "PATCH" else {}
    theirs, absent = stranger.call(method, url, **kwargs), stranger.call(method, missing, **kwargs)
    assert _denied(theirs)
    assert theirs.status_code == absent.status_code
