"""Attacks on the service's defaults: brute force, huge bodies, headers, keys, exposed internals."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.attack.conftest import Target, production_env
from tests.e2e.attack.server import migrate, run_to_exit, server_env, start_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

INTERNALS = ("Traceback", 'File "', "sqlalchemy", "cryptography", "InvalidTag", "Error(")


def test_brute_force_is_locked_out_before_the_right_password_works(target: Target) -> None:
    admin = target.admin()
    credentials = {"email": f"victim-{secrets.token_hex(6)}@example.com", "password": "p" * 40}
    body = {**credentials, "role": target.specs.security["roles"][-1]["name"]}
    created = admin.call("POST", "/admin/users", json=body)
    if created.status_code == 404:  # no user administration: the victim signs up itself
        created = target.anonymous.call("POST", "/auth/register", json=credentials)
    assert created.status_code == 201
    with target.anonymous.client() as client:
        for attempt in range(12):
            guess = client.post("/auth/token", json={**credentials, "password": f"guess-{attempt}"})
            assert guess.status_code in (401, 429)
        right = client.post("/auth/token", json=credentials)
    assert right.status_code == 429, "the right password still works after 12 failures"
    assert "access_token" not in right.text


def test_a_huge_body_is_refused_with_413_and_not_echoed(target: Target) -> None:
    marker = "ECHO-" + secrets.token_hex(4)
    payload = '{"email": "' + marker * (5 * 1024 * 1024 // len(marker)) + '", "password": "x"}'
    response = target.anonymous.call(
        "POST", "/auth/token", content=payload, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert marker not in response.text
    assert len(response.content) < 1024


def test_security_headers_are_sent(target: Target) -> None:
    for path in ("/health", "/auth/me"):
        headers = target.anonymous.call("GET", path).headers
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        csp = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert headers.get("Referrer-Policy"), path
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), path


def test_production_without_secrets_refuses_to_start_with_one_line(
    target: Target, tmp_path: Path
) -> None:
    env = server_env(tmp_path / "app.db", ENVIRONMENT="production")
    code, output = run_to_exit(target.project, env)
    assert code not in (None, 0), f"started without secrets: {output[-500:]}"
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output[-2000:]
    assert "JWT_SECRET" in lines[0]
    assert "FIELD_ENCRYPTION_KEY" in lines[0]


@pytest.fixture
def default_server(target: Target, tmp_path: Path) -> Iterator[str]:
    """The project served in production with its secrets and every other setting default."""
    env = production_env(tmp_path / "app.db", "unused-" + secrets.token_hex(8))
    migrate(target.project, env)
    server = start_server(target.project, env, tmp_path / "server.log")
    try:
        yield server.base_url
    finally:
        server.stop()


def test_docs_openapi_and_metrics_are_closed_in_production(default_server: str) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
        status = httpx.get(default_server + path, timeout=10).status_code
        assert status in (401, 403, 404), (path, status)


def test_one_client_cannot_spray_sign_ins(default_server: str) -> None:
    with httpx.Client(base_url=default_server, timeout=10) as client:
        statuses = [
            client.post(
                "/auth/token",
                json={"email": f"spray-{n}@example.com", "password": "Winter2024!"},
            ).status_code
            for n in range(60)
        ]
    assert set(statuses) <= {401, 429}
    assert 429 in statuses, "60 sign-ins to 60 accounts from one address in a row all answered"


@pytest.fixture
def two_encrypted_rows(target: Target) -> tuple[str, str, dict[str, object], dict[str, object]]:
    """Two records of an entity with an encrypted field, made by the administrator."""
    specs = target.specs
    encrypted = specs.security.get("encrypted_fields", [])
    assert encrypted, "the defaults domain encrypts personal data"
    entity, field = encrypted[0]["entity"], encrypted[0]["field"]
    admin = target.admin()
    return entity, field, admin.create(entity), admin.create(entity)


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(
    target: Target, two_encrypted_rows: tuple[str, str, dict[str, object], dict[str, object]]
) -> None:
    entity, field, first, second = two_encrypted_rows
    table = target.specs.entity(entity)["table"]
    with sqlite3.connect(target.database) as connection:
        (stolen,) = connection.execute(
            f'SELECT "{field}" FROM "{table}" WHERE id = ?',  # noqa: S608
            (first["id"],),
        ).fetchone()
        assert str(first[field]) not in str(stolen), "stored in plaintext"
        (own,) = connection.execute(
            f'SELECT "{field}" FROM "{table}" WHERE id = ?',  # noqa: S608
            (second["id"],),
        ).fetchone()
        connection.execute(
            f'UPDATE "{table}" SET "{field}" = ? WHERE id = ?',  # noqa: S608
            (stolen, second["id"]),
        )
    response = target.admin().call("GET", f"{target.specs.route(entity)}/{second['id']}")
    # The server is shared with the other attacks: the row gets its own ciphertext back.
    with sqlite3.connect(target.database) as connection:
        connection.execute(
            f'UPDATE "{table}" SET "{field}" = ? WHERE id = ?',  # noqa: S608
            (own, second["id"]),
        )
    assert str(first[field]) not in response.text, "the copied value decrypted on another row"
    assert response.status_code >= 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert not any(marker in response.text for marker in INTERNALS), response.text
