"""``framework=django`` generates backends that pass their own tests, linters and validators.

One project per catalogue domain (and corpus JDL file), generated once per run and shared by
the workers; the tools run in the shared environment on private copies. Two of them are then
served by uvicorn on 127.0.0.1 and answer over HTTP: the e-commerce catalogue domain on
SQLite, and blog.jh on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backendgen.errors import ToolMissingError
from backendgen.questions.jdl import load_jdl
from backendgen.verify.server import free_port
from tests.conftest import generated_project
from tests.helpers import project_env, run
from tests.integration.test_jdl import CORPUS
from tests.postgres import PostgresServer
from tests.validators import VALIDATORS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("django")]

CATALOGUE = ["ecommerce", "healthcare", "fintech", "saas", "education", "logistics"]
"""The catalogue domains, each generated once as a Django backend."""

JDL_FILES = ["e-commerce-monolith.jdl", "blog.jh", "northwind-jdl.jh", "default.jdl"]
"""Corpus JDL files, each generated once as a Django backend: enums, an image blob, instants
and a one-to-one link to the built-in ``User`` (e-commerce), a many-to-many link entity and a
field renamed from a reserved word (blog), 19 unrelated entities with text blobs, blobs,
doubles and their own ``id`` fields (northwind), and an application without entities, which
gets the skeleton (default). Only the JDL files link to ``User``."""

DOMAINS = [*CATALOGUE, *(f"jdl-{name.split('.')[0]}" for name in JDL_FILES)]
"""Every Django backend the module checks, by key."""


def _args(domain: str) -> list[str]:
    """The defaults of a domain or corpus file (its regimes included), the gaps accepted."""
    flags = ["--defaults", "-d", "framework=django", "-d", "accept_control_gaps=true"]
    if domain in CATALOGUE:
        return [*flags, "-d", f"domain={domain}"]
    (path,) = (CORPUS / n for n in JDL_FILES if f"jdl-{n.split('.')[0]}" == domain)
    return [*flags, "--domain", str(path)]


@pytest.fixture(scope="session")
def django_projects(isolated_environment: Path) -> dict[str, Path]:
    """Every catalogue domain's and corpus file's Django backend, generated once per run."""
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


@contextlib.contextmanager
def _serving(project: Path, database_url: str | None = None) -> Iterator[str]:
    """Migrate ``project`` (a private copy) and serve it by uvicorn on 127.0.0.1.

    Args:
        project: The copy to serve.
        database_url: Its database (a SQLite file in the copy by default).
    """
    env = _env()
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{project / 'served.db'}",
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


@pytest.fixture
def served(django_projects: dict[str, Path], tmp_path: Path) -> Iterator[str]:
    """The e-commerce Django backend, migrated and served by uvicorn on 127.0.0.1."""
    with _serving(_workcopy(django_projects["ecommerce"], tmp_path)) as base:
        yield base


def _signed_in(client: httpx.Client) -> dict[str, str]:
    token = client.post("/auth/token", json={"email": "admin@example.com", "password": "a" * 20})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_a_served_django_backend_answers_as_the_contract_says(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/api/v1/categories").status_code == 401
        auth = _signed_in(client)
        body = {"name": "Tools", "slug": "tools"}
        made = client.post("/api/v1/categories", json=body, headers=auth)
        assert made.status_code == 201, made.text
        assert client.post("/api/v1/categories", json={"name": ""}, headers=auth).status_code == 422
        listed = client.get("/api/v1/categories", params={"slug": "tools"}, headers=auth).json()
        assert (listed["total"], listed["items"][0]["id"]) == (1, made.json()["id"])
        assert client.get("/api/v1/categories/999999", headers=auth).status_code == 404
        assert "http_requests_total" in client.get("/metrics").text


def test_a_served_jdl_backend_serves_what_its_jdl_file_declares(
    django_projects: dict[str, Path], postgres: PostgresServer, tmp_path: Path
) -> None:
    """blog.jh over HTTP: ``minlength``, a ``TextBlob`` and an ``Instant``, the renamed
    ``Post.date``, and ``ManyToMany Post{tag} to Tag`` as its link entity.

    Routes and field names come from the importer's reading of the file (``load_jdl``), the
    input of the generation, not from the served project. It runs on PostgreSQL, which holds
    column types and lengths to what the migrations declare (SQLite does not).
    """
    domain, _, _ = load_jdl(CORPUS / "blog.jh")
    route = {e.name: f"/api/v1/{e.route}" for e in domain.entities}
    (date,) = (
        f.name
        for e in domain.entities
        if e.name == "Post"
        for f in e.fields
        if f.type == "datetime"
    )
    # dj-database-url spells the scheme without SQLAlchemy's driver suffix
    database = postgres.create_database("django_jdl_blog").replace("postgresql+psycopg", "postgres")
    with (
        _serving(_workcopy(django_projects["jdl-blog"], tmp_path), database) as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        auth = _signed_in(client)

        def made(entity: str, body: dict[str, object]) -> int:
            response = client.post(route[entity], json=body, headers=auth)
            assert response.status_code == 201, (entity, response.text)
            return int(response.json()["id"])

        too_short = client.post(route["Blog"], json={"name": "ab", "handle": "hh"}, headers=auth)
        assert too_short.status_code == 422, too_short.text  # name minlength(3)
        blog = made("Blog", {"name": "abc", "handle": "hh"})
        content = "x" * 70_000  # a TextBlob: longer than any varchar
        post = made(
            "Post",
            {"title": "T", "content": content, date: "2026-01-02T03:04:05Z", "blog_id": blog},
        )
        read = client.get(f"{route['Post']}/{post}", headers=auth).json()
        assert (read["content"], read[date][:19]) == (content, "2026-01-02T03:04:05")
        tag = made("Tag", {"name": "jdl"})
        link = made("PostTag", {"post_id": post, "tag_id": tag})
        listed = client.get(route["PostTag"], params={"tag_id": tag}, headers=auth).json()
        assert [item["id"] for item in listed["items"]] == [link]
        referenced = client.delete(f"{route['Tag']}/{tag}", headers=auth)
        assert referenced.status_code == 409, referenced.text  # the link protects its tag
        assert client.delete(f"{route['PostTag']}/{link}", headers=auth).status_code == 204
        assert client.delete(f"{route['Tag']}/{tag}", headers=auth).status_code == 204
