"""Schemathesis (``--checks all``, as ``tests/e2e/test_api_fuzz.py`` runs it) against each served
project, as its administrator.

It gets a server of its own on the same project and a fresh database: its stateful phase signs
out and changes users, which would pull the shared server's sessions from under the suite.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest

from tests.e2e.attack.conftest import ADMIN_EMAIL, SUITE_SETTINGS, production_env
from tests.e2e.conformance.cases import Answers, served
from tests.e2e.conformance.conftest import project_of
from tests.fuzzing import SUMMARY, run_schemathesis
from tests.serving import migrate, start_server


@pytest.mark.parametrize("target", list(served("conformance-fuzz")))
def test_the_api_keeps_its_contract_under_schemathesis(
    target: tuple[str, Answers], isolated_environment: Path, tmp_path: Path
) -> None:
    project = project_of(isolated_environment, *target)
    password = secrets.token_urlsafe(18)
    env = production_env(tmp_path / "app.db", password, **SUITE_SETTINGS)
    migrate(project, env)
    server = start_server(project, env, tmp_path / "server.log")
    try:
        signed_in = httpx.post(
            f"{server.base_url}/auth/token",
            json={"email": ADMIN_EMAIL, "password": password},
            timeout=30,
        )
        assert signed_in.status_code == 200, signed_in.text
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        code, output = run_schemathesis(server.base_url, "admin", headers, tmp_path, project)
    finally:
        server.stop()
    summary = SUMMARY.search(output)
    assert code == 0, output[-12000:]
    assert summary is not None, output[-12000:]
    assert "fail" not in summary.group(0), output[-12000:]
