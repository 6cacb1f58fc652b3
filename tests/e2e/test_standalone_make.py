"""The generated README's quick start works verbatim for a new user: a fresh venv, its commands.

The rest of the suite runs generated projects in one shared environment, which also holds
backendgen's dependencies and could hide a package the project forgot to declare. Here the
commands of the README's quick-start block run as written, in a shell without that environment,
and the service they start must answer: health, the bootstrap administrator's sign-in, and an
entity list (which needs the migrated tables).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.attack.server import free_port
from tests.helpers import VENV_BIN

pytestmark = pytest.mark.slow

SERVE_SECONDS = 1500.0
"""How long the quick start may take to serve (it installs every dependency from PyPI)."""


def quick_start_commands(readme: str) -> list[str]:
    """The shell commands of the README's ``## Quick start`` fenced block, as written."""
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the quick start has no fenced shell block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _fresh_env(**extra: str) -> dict[str, str]:
    """This process's environment without the shared venv (as on a new machine)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "COV_"))
        and key not in ("VIRTUAL_ENV", "PYTHONPATH", "DATABASE_URL")
    }
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if Path(part) != VENV_BIN
    )
    env.update(extra)
    return env


def _first_entity_path(readme: str) -> str:
    found = re.search(r"^- `[^`]+` at `(/[^`]+)`", readme, re.MULTILINE)
    assert found is not None, "the README lists no entity endpoint"
    return found.group(1)


def _wait_for_health(process: subprocess.Popen[str], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the quick start exited {process.returncode}:\n{log.read_text()[-6000:]}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the quick start did not serve /health:\n{log.read_text()[-6000:]}")


def test_readme_quick_start_verbatim(generated_projects: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "service"
    shutil.copytree(generated_projects["defaults"], project)
    readme = (project / "README.md").read_text()
    commands = quick_start_commands(readme)
    assert commands, "the quick start block is empty"
    port = free_port()
    password = "quick-start-Passw0rd!"
    log = tmp_path / "quick-start.log"
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    with log.open("w") as handle:
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=project,
            env=_fresh_env(
                PORT=str(port),
                BOOTSTRAP_ADMIN_EMAIL="admin@example.com",
                BOOTSTRAP_ADMIN_PASSWORD=password,
            ),
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(process, base_url, log)
        token = httpx.post(
            f"{base_url}/auth/token",
            json={"email": "admin@example.com", "password": password},
            timeout=30,
        )
        assert token.status_code == 200, token.text
        listed = httpx.get(
            f"{base_url}{_first_entity_path(readme)}",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=30,
        )
        assert listed.status_code == 200, listed.text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    output = log.read_text()
    assert (project / ".venv" / "bin" / "python").is_file()
    summary = re.findall(r"^=+ (.* in [0-9.]+s.*) =+$", output, re.MULTILINE)
    assert summary, output[-4000:]
    assert " passed" in summary[-1]
    assert "skipped" not in summary[-1]
    assert "Required test coverage of 90" in output, output[-4000:]
