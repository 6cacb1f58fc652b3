"""HIPAA break-glass over HTTP: withheld PHI opens with a reason only, audited, for a while.

Driven by the healthcare project's security spec (``break_glass``, ``hipaa_minimum_necessary``)
and its OpenAPI paths: an eligible role reads a record without the PHI minimum necessary
withholds; a blank reason is refused (422); a reasoned grant shows the PHI and leaves entries in
the audit log; once the grant has expired (its ``expires_at`` moved into the past in the
database, as time would) the PHI is withheld again; a role the spec does not name gets 403.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

import pytest

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

REASON = "Unconscious patient in the emergency room: the reason for the visit is needed now"


def _user(target: Target, admin: Api, role: str) -> tuple[int, Api]:
    """Create a user of ``role`` through the admin API and sign it in."""
    email = f"{role.replace('_', '-')}-{secrets.token_hex(4)}@attack.example.com"
    password = secrets.token_urlsafe(24)
    created = admin.call(
        "POST", "/admin/users", json={"email": email, "password": password, "role": role}
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"]), target.anonymous.sign_in(email, password)


def _record_with_phi(admin: Api, entity: dict[str, Any], withheld: list[str]) -> dict[str, Any]:
    """Create a record of ``entity`` whose withheld PHI holds values; return it, read whole."""
    record = admin.create(entity["name"])
    free_text = {
        f["name"]
        for f in entity["fields"]
        if f["type"] in ("string", "text") and not f.get("pattern")
    }
    missing = {name: "Chest pain since this morning" for name in withheld if name in free_text}
    url = f"{admin.specs.route(entity['name'])}/{record['id']}"
    if missing:
        assert admin.call("PATCH", url, json=missing).status_code == 200
    full: dict[str, Any] = admin.call("GET", url).json()
    assert any(full[name] is not None for name in withheld), full
    return full


def test_withheld_phi_opens_with_a_reason_is_audited_and_closes_on_expiry(
    healthcare_target: Target,
) -> None:
    specs = healthcare_target.specs
    glass = specs.security["break_glass"]
    assert glass["roles"], "the healthcare spec lets no role break glass"
    role = glass["roles"][0]
    entry = next(e for e in specs.security["hipaa_minimum_necessary"] if e["role"] == role)
    entity, withheld = specs.entity(entry["entity"]), list(entry["withheld"])
    admin = healthcare_target.admin()
    full = _record_with_phi(admin, entity, withheld)
    user_id, caller = _user(healthcare_target, admin, role)
    url = f"{specs.route(entity['name'])}/{full['id']}"
    limited = full | dict.fromkeys(withheld)

    # 1. Without break-glass the PHI is withheld.
    assert caller.call("GET", url).json() == limited

    # 2. A blank (or missing, or too short) reason is refused, and opens nothing.
    blank = " " * (glass["reason_min_length"] + 10)
    for body in ({"entity": entity["name"], "reason": blank}, {"entity": entity["name"]}):
        refused = caller.call("POST", "/break-glass", json=body)
        assert refused.status_code == 422, refused.text
        assert blank not in refused.text
    assert caller.call("GET", url).json() == limited

    # 3. With a reason the PHI shows, and the log holds the grant and the read under it.
    opened = caller.call("POST", "/break-glass", json={"entity": entity["name"], "reason": REASON})
    assert opened.status_code == 201, opened.text
    grant = opened.json()
    assert caller.call("GET", url).json() == full
    log = admin.call(
        "GET", "/audit", params={"actor": f"user:{user_id}", "entity": entity["name"]}
    ).json()["items"]
    assert ("break_glass", "-") in [(e["action"], e["entity_id"]) for e in log]
    assert ("break_glass_read", str(full["id"])) in [(e["action"], e["entity_id"]) for e in log]
    listed = admin.call("GET", "/break-glass").json()
    assert [g["reason"] for g in listed if g["id"] == grant["id"]] == [REASON]

    # 4. After expiry the PHI is withheld again.
    with sqlite3.connect(healthcare_target.database) as connection:
        connection.execute(
            "UPDATE break_glass_grants SET expires_at = ? WHERE id = ?",
            ("2000-01-01 00:00:00.000000", grant["id"]),
        )
    assert caller.call("GET", url).json() == limited
    assert [
        g["open"] for g in admin.call("GET", "/break-glass").json() if g["id"] == grant["id"]
    ] == [False]


def test_a_role_the_spec_does_not_name_cannot_break_glass(healthcare_target: Target) -> None:
    specs = healthcare_target.specs
    eligible = set(specs.security["break_glass"]["roles"])
    others = [r["name"] for r in specs.security["roles"][1:] if r["name"] not in eligible]
    assert others
    admin = healthcare_target.admin()
    entity = specs.security["hipaa_minimum_necessary"][0]["entity"]
    for role in others:
        _, caller = _user(healthcare_target, admin, role)
        refused = caller.call("POST", "/break-glass", json={"entity": entity, "reason": REASON})
        assert refused.status_code == 403, (role, refused.text)
    assert (
        admin.call("POST", "/break-glass", json={"entity": entity, "reason": REASON}).status_code
        == 403
    )
