"""HIPAA minimum necessary over HTTP: a role never reads the PHI its work does not need.

The healthcare front desk books visits but has no use for why the patient comes: it reads an
appointment's ``reason`` as null, in the record and in the list, while the administrator reads
it. Then every entry of the security spec's ``hipaa_minimum_necessary`` is held to the same:
the role reads the record exactly as the administrator does, withheld fields aside, and
filtering or ordering by a withheld field tells it nothing either.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]


def _staff(admin: Api, role: str) -> Api:
    """A signed-in user of ``role``, made by the administrator."""
    credentials = {"email": f"{role}-{secrets.token_hex(6)}@example.com", "password": "p" * 40}
    created = admin.call("POST", "/admin/users", json={**credentials, "role": role})
    assert created.status_code == 201, created.text
    return Api(admin.base_url, admin.specs).sign_in(**credentials)


def _phi_values(target: Target, entity: str, fields: list[str]) -> dict[str, Any]:
    """Values for the free-text fields among ``fields`` (others come from the sample body)."""
    spec = {f["name"]: f for f in target.specs.entity(entity)["fields"]}
    return {
        name: f"PHI {secrets.token_hex(4)}"[: spec[name].get("max_length") or 200]
        for name in fields
        if spec[name]["type"] in ("string", "text") and not spec[name].get("pattern")
    }


def _reads(api: Api, target: Target, entity: str, record_id: int) -> list[dict[str, Any]]:
    """The record as ``api`` reads it alone and on the list page."""
    route = target.specs.route(entity)
    one = api.call("GET", f"{route}/{record_id}")
    assert one.status_code == 200, one.text
    page = api.call("GET", route, params={"limit": 100})
    assert page.status_code == 200, page.text
    listed = [item for item in page.json()["items"] if item["id"] == record_id]
    assert len(listed) == 1, page.json()
    return [one.json(), listed[0]]


def test_the_front_desk_never_reads_why_a_patient_comes(healthcare_target: Target) -> None:
    admin = healthcare_target.admin()
    reason = f"Chest pain {secrets.token_hex(4)}"
    booked = admin.create("Appointment", reason=reason)
    assert [r["reason"] for r in _reads(admin, healthcare_target, "Appointment", booked["id"])] == [
        reason,
        reason,
    ]
    desk = _staff(admin, "front_desk")
    for seen in _reads(desk, healthcare_target, "Appointment", booked["id"]):
        assert seen.get("reason") is None, seen


def test_every_withheld_field_reads_as_null_and_nothing_else_changes(
    healthcare_target: Target,
) -> None:
    entries = healthcare_target.specs.security.get("hipaa_minimum_necessary", [])
    assert entries, "the healthcare spec withholds no PHI from any role"
    admin = healthcare_target.admin()
    for entry in entries:
        entity, withheld = entry["entity"], entry["withheld"]
        record = admin.create(entity, **_phi_values(healthcare_target, entity, withheld))
        full = _reads(admin, healthcare_target, entity, record["id"])[0]
        assert any(full[name] is not None for name in withheld), (entry, full)
        caller = _staff(admin, entry["role"])
        for seen in _reads(caller, healthcare_target, entity, record["id"]):
            assert {k: v for k, v in seen.items() if k not in withheld} == {
                k: v for k, v in full.items() if k not in withheld
            }, entry
            assert all(seen.get(name) is None for name in withheld), (entry, seen)
        route = healthcare_target.specs.route(entity)
        for name in withheld:
            if isinstance(full[name], str):
                _filter_tells_nothing(caller, route, name, full[name])


def _filter_tells_nothing(caller: Api, route: str, name: str, value: str) -> None:
    """Filtering by the true value and by a false one gives the same page (or is refused)."""
    pages = [caller.call("GET", route, params={name: v}) for v in (value, f"not {value}")]
    if all(p.status_code == 200 for p in pages):
        first, second = ([i["id"] for i in p.json()["items"]] for p in pages)
        assert first == second, f"filtering by withheld {name} narrows the list"
    else:
        assert {p.status_code for p in pages} <= {200, 403, 422}, [p.text for p in pages]
