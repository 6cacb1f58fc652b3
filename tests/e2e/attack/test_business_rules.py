"""Business rules over HTTP: what the fintech domain forbids is refused, whatever the role.

The review created an account holder born in 2015, and booked a transfer whose source is its
destination. Served from the fintech project without its SOX controls (``rules_target``), so
that the core spec's rules alone refuse: an adult-only date of birth (422), a transfer to the
same account (422, on create and on a partial update), and a settled transfer set back to
PENDING (409). The date of birth is refused by the SOX-controlled fintech project too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.e2e.attack.conftest import Target

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]


def _rules(target: Target, entity: str, kind: str) -> list[dict[str, Any]]:
    """The entity's declarative rules of ``kind`` in the core spec (none on older specs)."""
    return [r for r in target.specs.entity(entity)["rules"] if r.get("kind") == kind]


def _child_birthday() -> str:
    """A date of birth ten years ago (the review used 2015)."""
    today = dt.datetime.now(dt.UTC).date()
    return today.replace(year=today.year - 10, day=min(today.day, 28)).isoformat()


@pytest.mark.parametrize("name", ["rules_target", "fintech_target"])
def test_a_child_is_not_an_account_holder(request: pytest.FixtureRequest, name: str) -> None:
    target: Target = request.getfixturevalue(name)
    admin = target.admin()
    route = target.specs.route("AccountHolder")
    for born in ("2015-06-01", _child_birthday()):
        response = admin.call("POST", route, json=admin.body("AccountHolder", date_of_birth=born))
        assert response.status_code == 422, (born, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    adult = admin.create("AccountHolder", date_of_birth="1985-12-10")
    url = f"{route}/{adult['id']}"
    changed = admin.call("PATCH", url, json={"date_of_birth": "2015-06-01"})
    assert changed.status_code == 422, changed.text
    assert admin.call("GET", url).json()["date_of_birth"] == "1985-12-10"


def test_no_transfer_from_an_account_to_itself(rules_target: Target) -> None:
    admin = rules_target.admin()
    route = rules_target.specs.route("Transfer")
    account = admin.create("Account")["id"]
    same = admin.body("Transfer", source_account_id=account, destination_account_id=account)
    booked = admin.call("POST", route, json=same)
    assert booked.status_code == 422, (booked.status_code, booked.text)
    fields = {part for error in booked.json()["errors"] for part in error["loc"]}
    assert {"source_account_id", "destination_account_id"} <= fields
    transfer = admin.create("Transfer")
    moved = admin.call(
        "PATCH",
        f"{route}/{transfer['id']}",
        json={"source_account_id": transfer["destination_account_id"]},
    )
    assert moved.status_code == 422, (moved.status_code, moved.text)
    kept = admin.call("GET", f"{route}/{transfer['id']}").json()
    assert kept["source_account_id"] == transfer["source_account_id"]


def test_a_settled_transfer_is_never_pending_again(rules_target: Target) -> None:
    admin = rules_target.admin()
    route = rules_target.specs.route("Transfer")
    transfer = admin.create("Transfer", status="PENDING")
    url = f"{route}/{transfer['id']}"
    settled = admin.call("PATCH", url, json={"status": "SETTLED"})
    assert settled.status_code == 200, settled.text
    back = admin.call("PATCH", url, json={"status": "PENDING"})
    assert back.status_code == 409, (back.status_code, back.text)
    assert admin.call("GET", url).json()["status"] == "SETTLED"
    booked = admin.call("POST", route, json=admin.body("Transfer", status="SETTLED"))
    assert booked.status_code == 422, (booked.status_code, booked.text)


def test_the_spec_states_the_rules_the_attacks_rely_on(rules_target: Target) -> None:
    ranges = _rules(rules_target, "AccountHolder", "range")
    assert any(r["field"] == "date_of_birth" and r["latest"] == "today-18y" for r in ranges)
    compared = _rules(rules_target, "Transfer", "compare")
    assert any(
        {r["field"], r["other"]} == {"source_account_id", "destination_account_id"}
        and r["operator"] == "!="
        for r in compared
    )
    (life_cycle,) = _rules(rules_target, "Transfer", "transitions")
    assert "PENDING" not in next(
        (t["targets"] for t in life_cycle["allowed"] if t["source"] == "SETTLED"), []
    )
