"""``framework=django`` generates backends that pass their own tests, linters and validators.

One project per catalogue domain (and corpus JDL file), generated once per run and shared by
the workers; the tools run in the shared environment on private copies. One of them is then
served by uvicorn on 127.0.0.1 and answers over HTTP.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backendgen.errors import ToolMissingError
from backendgen.verify.server import free_port
from tests.conftest import generated_project
from tests.helpers import project_env, run
from tests.validators import VALIDATORS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("django")]

DOMAINS = ["ecommerce", "healthcare", "fintech", "saas", "education", "logistics"]
"""The catalogue domains, each generated once as a Django backend."""


def _args(domain: str) -> list[str]:
    """The domain's defaults (its regimes included), the gaps of the Django output accepted."""
    return [
        "--defaults",
        *("-d", "framework=django", "-d", f"domain={domain}", "-d", "accept_control_gaps=true"),
    ]


@pytest.fixture(scope="session")
def django_projects(isolated_environment: Path) -> dict[str, Path]:
    """Every catalogue domain's Django backend, generated once per run."""
    return {d: generated_project(isolated_environment, f"django-{d}", _args(d)) for d in DOMAINS}


def _workcopy(project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git"))
    return copy


def _env() -> dict[str, str]:
    env = project_env()
    for name in ("DATABASE_URL", "ENVIRONMENT", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_django_backend_passes_its_own_tests(
    django_projects: dict[str, Path], tmp_path: Path, domain: str
) -> None:
    project = _workcopy(django_projects[domain], tmp_path)
    done = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], project, _env())
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "skipped" not in summary, done.stdout[-3000:]


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_django_backend_passes_ruff_and_mypy_strict(
    django_projects: dict[str, Path], tmp_path: Path, domain: str
) -> None:
    project = _workcopy(django_projects[domain], tmp_path)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy")]
    for command in (
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        [*mypy, "core", "security", "monitoring", "tests"],
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
    ):
        done = run(command, cwd=project, env=_env())
        assert done.returncode == 0, f"{command[2]}:\n{done.stdout[-6000:]}{done.stderr[-2000:]}"


@pytest.mark.parametrize("name", sorted(VALIDATORS))
def test_django_backends_pass_the_validators(django_projects: dict[str, Path], name: str) -> None:
    failures: list[str] = []
    for domain, project in sorted(django_projects.items()):
        try:
            VALIDATORS[name](project)
        except ToolMissingError as missing:
            pytest.fail(f"{missing}: run tests/install-validators.sh")
        except AssertionError as failure:
            failures.append(f"--- {domain}\n{failure}")
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module")
def served(
    django_projects: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The e-commerce Django backend, migrated and served by uvicorn on 127.0.0.1."""
    project = _workcopy(django_projects["ecommerce"], tmp_path_factory.mktemp("served"))
    env = _env()
    env.update(
        DATABASE_URL=f"sqlite:///{project / 'served.db'}",
        JWT_SECRET="s" * 40,
        BOOTSTRAP_ADMIN_EMAIL="admin@example.com",
        BOOTSTRAP_ADMIN_PASSWORD="a" * 20,
    )
    migrated = run([sys.executable, "manage.py", "migrate", "--noinput"], project, env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "core.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    log = (project / "server.log").open("w")
    process = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            assert process.poll() is None, (project / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_a_served_django_backend_answers_as_the_contract_says(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/api/v1/categories").status_code == 401
        token = client.post(
            "/auth/token", json={"email": "admin@example.com", "password": "a" * 20}
        )
        assert token.status_code == 200, token.text
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        body = {"name": "Tools", "slug": "tools"}
        made = client.post("/api/v1/categories", json=body, headers=auth)
        assert made.status_code == 201, made.text
        assert client.post("/api/v1/categories", json={"name": ""}, headers=auth).status_code == 422
        listed = client.get("/api/v1/categories", params={"slug": "tools"}, headers=auth).json()
        assert (listed["total"], listed["items"][0]["id"]) == (1, made.json()["id"])
        assert client.get("/api/v1/categories/999999", headers=auth).status_code == 404
        assert "http_requests_total" in client.get("/metrics").text
