"""Live servers of the conformance suite: one per framework and answers, shared by its tests.

``BACKENDGEN_CONFORMANCE_<NAME>_PROJECT`` (e.g. ``..._DEFAULTS_PROJECT`` for FastAPI's,
``..._DEFAULTS_DJANGO_PROJECT`` for Django's) points the suite at an existing project instead
of the generated one, e.g. one broken on purpose to show the
suite naming what broke.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import generated_project
from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import ADMIN_EMAIL, SUITE_SETTINGS, production_env
from tests.e2e.attack.specs import Specs
from tests.e2e.conformance.cases import Answers, principal_of, project_args, project_name
from tests.serving import Server, framework_of, migrate, start_server

REQUESTS = {"count": 0}
"""Requests the suite sent, over every served project (reported at the end of the run)."""


CLIENTS: dict[tuple[str, tuple[tuple[str, str], ...]], httpx.Client] = {}
"""One open client per server and caller, closed when its server stops."""


class CountingApi(Api):
    """:class:`Api` that keeps its connection open and counts the requests it sends."""

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request (and count it)."""
        REQUESTS["count"] += 1
        key = (self.base_url, tuple(sorted(self.headers.items())))
        if key not in CLIENTS:
            CLIENTS[key] = self.client()
        return CLIENTS[key].request(method, path, **kwargs)

    def sign_in(self, email: str, password: str) -> CountingApi:
        """Return the API as the user with these credentials (the sign-in must succeed)."""
        signed = super().sign_in(email, password)
        return CountingApi(signed.base_url, signed.specs, signed.headers)


@dataclass
class App:
    """A served project, its specs and OpenAPI document, and users of each role."""

    framework: str
    answers: Answers
    project: Path
    specs: Specs
    openapi: dict[str, Any]
    server: Server
    admin: CountingApi
    users: dict[str, tuple[CountingApi, int | None]] = field(default_factory=dict)

    @property
    def anonymous(self) -> CountingApi:
        """The API without credentials."""
        return CountingApi(self.server.base_url, self.specs)

    def user(self, role: str) -> tuple[CountingApi, int | None]:
        """A signed-in user of ``role`` and the id of its principal record (if scoped).

        The administrator makes the user, and, for a role limited to its own rows, first a
        record of the role's principal entity that the user stands for.
        """
        if role not in self.users:
            if role == self.specs.admin_role:
                self.users[role] = (self.admin, None)
                return self.users[role]
            principal = principal_of(self.specs, role)
            principal_id = None
            credentials = {
                "email": f"{role.replace('_', '-')}-{secrets.token_hex(6)}@example.com",
                "password": secrets.token_urlsafe(24),
            }
            body: dict[str, Any] = {**credentials, "role": role}
            if principal == "User":
                pass
            elif principal is not None:
                principal_id = int(self.admin.create(principal)["id"])
                body["principal_id"] = principal_id
            created = self.admin.call("POST", "/admin/users", json=body)
            assert created.status_code == 201, created.text
            if principal == "User":
                principal_id = int(created.json()["id"])
            self.users[role] = (self.anonymous.sign_in(**credentials), principal_id)
        return self.users[role]

    def operation(self, path: str, method: str) -> dict[str, Any]:
        """The OpenAPI operation of ``method`` on ``path`` (as the document spells it)."""
        operation: dict[str, Any] = self.openapi["paths"][path][method.lower()]
        return operation

    def schema(self, ref: dict[str, Any]) -> dict[str, Any]:
        """Resolve a ``$ref`` (or return an inline schema)."""
        if "$ref" not in ref:
            return ref
        resolved: dict[str, Any] = self.openapi["components"]["schemas"][
            ref["$ref"].rsplit("/")[-1]
        ]
        return resolved


def project_of(isolated_environment: Path, framework: str, answers: Answers) -> Path:
    """The project of ``framework`` generated from ``answers`` (once per run), or the one
    ``BACKENDGEN_CONFORMANCE_<NAME>_PROJECT`` names (``<NAME>`` being the project's name,
    ``DEFAULTS`` or ``DEFAULTS_DJANGO``)."""
    name = project_name(framework, answers)
    given = os.environ.get(f"BACKENDGEN_CONFORMANCE_{name.upper().replace('-', '_')}_PROJECT")
    if given:
        return Path(given)
    return generated_project(isolated_environment, name, project_args(framework, answers))


@pytest.fixture(scope="session")
def app(
    request: pytest.FixtureRequest,
    isolated_environment: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[App]:
    """The project of ``request.param`` = ``(framework, answers)``, served in production mode
    with a fresh SQLite database and a bootstrap administrator."""
    framework, answers = request.param
    project = project_of(isolated_environment, framework, answers)
    assert framework_of(project) == framework, f"{project} is not a {framework} project"
    workdir = tmp_path_factory.mktemp(f"conformance-{framework}-{answers.name}")
    password = secrets.token_urlsafe(18)
    env = production_env(workdir / "app.db", password, **SUITE_SETTINGS)
    migrate(project, env)
    server = start_server(project, env, workdir / "server.log")
    try:
        specs = Specs.of(project)
        openapi = json.loads((project / "docs" / "openapi.json").read_text())
        admin = CountingApi(server.base_url, specs).sign_in(ADMIN_EMAIL, password)
        yield App(framework, answers, project, specs, openapi, server, admin)
    finally:
        for key in [k for k in CLIENTS if k[0] == server.base_url]:
            CLIENTS.pop(key).close()
        server.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how many requests the suite sent (this process's share under xdist)."""
    if REQUESTS["count"]:
        terminalreporter.write_line(f"conformance: {REQUESTS['count']} requests sent")
