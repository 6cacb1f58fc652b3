"""Audit tampering: SQL edits of records and of the log are found, over HTTP and by the command.

Each attack writes to the served project's database directly, as someone holding it would,
checks that ``GET /audit/verify`` and ``python -m security.compliance.verify_audit`` name what
was done, then puts the bytes back and checks that the log verifies again (so the shared server
stays usable by the rest of the suite).
"""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
from typing import Any

import pytest

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target, production_env
from tests.e2e.attack.specs import Specs

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]


def _verification(admin: Api) -> dict[str, Any]:
    response = admin.call("GET", "/audit/verify")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _command(target: Target) -> subprocess.CompletedProcess[str]:
    """The project's ``verify_audit`` command run on the served database."""
    return subprocess.run(
        [sys.executable, "-m", "security.compliance.verify_audit"],
        cwd=target.project,
        env=production_env(target.database, target.admin_password),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _entity(specs: Specs) -> str:
    """An entity the suite can create through the API (its sample and required parents)."""
    return str(specs.core["entities"][0]["name"])


def _sql(target: Target, statement: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one statement on the served database (table names come from the project's spec)."""
    with sqlite3.connect(target.database) as connection:
        return connection.execute(statement, params).fetchall()


def test_sql_edits_of_a_record_and_of_the_log_are_found(personal_owned_target: Target) -> None:
    admin = personal_owned_target.admin()
    specs = personal_owned_target.specs
    entity = _entity(specs)
    table = specs.entity(entity)["table"]
    record = admin.create(entity)
    assert _verification(admin)["intact"] is True, _verification(admin)["problems"]

    # 1. A record changed with SQL, bypassing the application.
    select_created = f"SELECT created_at FROM {table} WHERE id = ?"  # noqa: S608
    set_created = f"UPDATE {table} SET created_at = ? WHERE id = ?"  # noqa: S608
    (original,) = _sql(personal_owned_target, select_created, record["id"])
    _sql(personal_owned_target, set_created, "2001-01-01 00:00:00.000000", record["id"])
    found = _verification(admin)
    assert found["intact"] is False
    assert any(
        f"{entity} {record['id']} was changed outside the application" in p
        for p in found["problems"]
    ), found
    command = _command(personal_owned_target)
    assert command.returncode == 1, command.stdout + command.stderr
    assert f"{entity} {record['id']} was changed outside the application" in command.stderr
    _sql(personal_owned_target, set_created, original[0], record["id"])
    assert _verification(admin)["intact"] is True

    # 2. An entry of the log edited with SQL: the chain breaks at that entry.
    (entry,) = _sql(
        personal_owned_target,
        "SELECT id, actor FROM audit_log WHERE entity = ? AND entity_id = ? AND action = 'create'",
        entity,
        str(record["id"]),
    )
    _sql(personal_owned_target, "UPDATE audit_log SET actor = 'system' WHERE id = ?", entry[0])
    found = _verification(admin)
    assert found["intact"] is False
    assert f"entry {entry[0]} was altered" in found["problems"][0], found
    _sql(personal_owned_target, "UPDATE audit_log SET actor = ? WHERE id = ?", entry[1], entry[0])

    # 3. The last entries cut off the end of the log.
    (last,) = _sql(personal_owned_target, "SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    _sql(personal_owned_target, "DELETE FROM audit_log WHERE id = ?", last[0])
    found = _verification(admin)
    assert found["intact"] is False
    assert "cut off the end" in found["problems"][0], found
    placeholders = ", ".join("?" for _ in last)
    _sql(personal_owned_target, f"INSERT INTO audit_log VALUES ({placeholders})", *last)  # noqa: S608
    command = _command(personal_owned_target)
    assert command.returncode == 0, command.stderr
    assert "audit log intact" in command.stdout


def test_reads_of_personal_data_and_failed_sign_ins_are_in_the_log(
    personal_owned_target: Target,
) -> None:
    admin = personal_owned_target.admin()
    specs = personal_owned_target.specs
    personal = [
        e["name"]
        for e in specs.core["entities"]
        if any(f.get("pii") or f.get("phi") for f in e["fields"])
    ]
    assert personal, "the domain must hold personal data"
    record = admin.create(personal[0])
    route = specs.route(personal[0])
    assert admin.call("GET", f"{route}/{record['id']}").status_code == 200
    reads = admin.call(
        "GET", "/audit", params={"entity": personal[0], "entity_id": record["id"], "action": "read"}
    ).json()
    me = admin.call("GET", "/auth/me").json()
    assert [item["actor"] for item in reads["items"]] == [f"user:{me['id']}"], reads

    refused = personal_owned_target.anonymous.call(
        "POST", "/auth/token", json={"email": me["email"], "password": "wrong-" * 3}
    )
    assert refused.status_code == 401
    failures = admin.call("GET", "/audit", params={"action": "login_failed"}).json()
    assert {"actor": "anonymous", "entity_id": str(me["id"])} in [
        {"actor": item["actor"], "entity_id": item["entity_id"]} for item in failures["items"]
    ], failures
    assert _verification(admin)["intact"] is True


def test_only_the_administrator_and_the_audit_readers_read_the_log(
    personal_owned_target: Target,
) -> None:
    admin = personal_owned_target.admin()
    security = personal_owned_target.specs.security
    readers = set(security["audit_readers"])
    assert readers, "a project with compliance regimes names an audit reader"
    assert personal_owned_target.anonymous.call("GET", "/audit").status_code == 401
    for role in (r["name"] for r in security["roles"][1:]):
        credentials = {"email": f"{role}-{secrets.token_hex(4)}@example.com", "password": "p" * 40}
        created = admin.call("POST", "/admin/users", json={**credentials, "role": role})
        assert created.status_code == 201, created.text
        user = personal_owned_target.anonymous.sign_in(**credentials)
        expected = 200 if role in readers else 403
        for path in ("/audit", "/audit/verify"):
            assert user.call("GET", path).status_code == expected, (role, path)
