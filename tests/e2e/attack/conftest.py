"""Running backends to attack: the defaults project (closed sign-up), an open-sign-up twin,
the healthcare project for row ownership, and fintech with healthcare for personal data.

``BACKENDGEN_ATTACK_PROJECT`` (and ``..._OPEN_PROJECT``, ``..._HEALTHCARE_PROJECT``,
``..._FINTECH_PROJECT``) point the
suite at an existing generated project instead, e.g. one made by an older backendgen to show
the attacks succeeding there.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.conftest import generated_project
from tests.e2e.attack.api import Api
from tests.e2e.attack.server import Server, migrate, server_env, start_server
from tests.e2e.attack.specs import Specs
from tests.helpers import plain_copier_copy

ADMIN_EMAIL = "root@attack.example.com"


def random_key() -> str:
    """A 32-byte key in url-safe base64 (valid as AES-256 and as Fernet key)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@dataclass
class Target:
    """A served project and what the suite needs to attack it."""

    project: Path
    specs: Specs
    server: Server
    database: Path
    admin_password: str
    admin_headers: dict[str, str] = field(default_factory=dict)

    @property
    def anonymous(self) -> Api:
        """The API without credentials."""
        return Api(self.server.base_url, self.specs)

    def admin(self) -> Api:
        """The API as the bootstrap administrator.

        A project given by ``BACKENDGEN_ATTACK_PROJECT`` that has no bootstrap (older
        backendgen) gets its administrator written into the database directly.
        """
        if not self.admin_headers:
            response = self.anonymous.call(
                "POST", "/auth/token", json={"email": ADMIN_EMAIL, "password": self.admin_password}
            )
            if response.status_code != 200 and os.environ.get("BACKENDGEN_ATTACK_PROJECT"):
                _seed_admin(self.database, self.specs.admin_role, self.admin_password)
            self.admin_headers = self.anonymous.sign_in(ADMIN_EMAIL, self.admin_password).headers
        return Api(self.server.base_url, self.specs, dict(self.admin_headers))


def _seed_admin(database: Path, role: str, password: str) -> None:
    """Write an administrator row straight into a legacy project's SQLite database."""
    import sqlite3

    from argon2 import PasswordHasher

    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT OR IGNORE INTO users (email, hashed_password, role, is_active, created_at)"
            " VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP)",
            (ADMIN_EMAIL, PasswordHasher().hash(password), role),
        )


def production_env(database: Path, admin_password: str, **extra: str) -> dict[str, str]:
    """Production settings with secrets and the bootstrap administrator, nothing else opened."""
    return server_env(
        database,
        ENVIRONMENT="production",
        JWT_SECRET=secrets.token_urlsafe(32),
        FIELD_ENCRYPTION_KEY=random_key(),
        FIELD_INDEX_KEY=random_key(),
        BOOTSTRAP_ADMIN_EMAIL=ADMIN_EMAIL,
        BOOTSTRAP_ADMIN_PASSWORD=admin_password,
        **extra,
    )


SUITE_SETTINGS = {"DOCS_ENABLED": "true", "LOGIN_RATE_PER_MINUTE": "100000"}
"""The shared servers describe their API and let the suite sign in often from one address
(the per-account lockout stays on; the per-address rate is attacked on a default server)."""


def serve(project: Path, workdir: Path) -> Iterator[Target]:
    """Migrate a fresh SQLite database, serve ``project`` in production mode, stop it after."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "app.db"
    password = secrets.token_urlsafe(18)
    env = production_env(database, password, **SUITE_SETTINGS)
    migrate(project, env)
    server = start_server(project, env, workdir / "server.log")
    try:
        yield Target(project, Specs.of(project), server, database, password)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def defaults_project(isolated_environment: Path) -> Path:
    """The project attacked: the defaults (e-commerce), or BACKENDGEN_ATTACK_PROJECT."""
    given = os.environ.get("BACKENDGEN_ATTACK_PROJECT")
    return Path(given) if given else generated_project(isolated_environment, "defaults")


@pytest.fixture(scope="session")
def open_project(defaults_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The defaults project rendered again with ``auth.registration: open``."""
    given = os.environ.get("BACKENDGEN_ATTACK_OPEN_PROJECT")
    if given:
        return Path(given)

    answers = yaml.safe_load((defaults_project / ".copier-answers.yml").read_text())
    data = {k: v for k, v in answers.items() if not k.startswith("_")}
    data["slot_security_compliance"]["auth"]["registration"] = "open"
    root = tmp_path_factory.mktemp("open-registration")
    target = root / "project"
    done = plain_copier_copy(target, data)
    assert done.returncode == 0, done.stderr[-3000:]
    return target


@pytest.fixture(scope="session")
def target(defaults_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The defaults project, served."""
    yield from serve(defaults_project, tmp_path_factory.mktemp("served-defaults"))


@pytest.fixture(scope="session")
def open_target(open_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The open-registration project, served."""
    yield from serve(open_project, tmp_path_factory.mktemp("served-open"))


OWNED_BY_USER = Path(__file__).parent / "owned_by_user.jdl"
"""A JDL model whose entities lead to JHipster's built-in ``User`` (the users table)."""


@pytest.fixture(scope="session", params=["defaults", "healthcare", "jdl-user"])
def owned_target(
    request: pytest.FixtureRequest,
    isolated_environment: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Target]:
    """A served project whose spec scopes roles to their own rows: e-commerce, healthcare,
    and a JDL model owned through the built-in ``User`` (principal ``User``).

    ``BACKENDGEN_ATTACK_JDL_USER_PROJECT`` replaces the generated JDL project.
    """
    if request.param != "jdl-user":
        yield request.getfixturevalue(
            "target" if request.param == "defaults" else "healthcare_target"
        )
        return
    given = os.environ.get("BACKENDGEN_ATTACK_JDL_USER_PROJECT")
    args = ["--defaults", "--domain", str(OWNED_BY_USER)]
    project = Path(given) if given else generated_project(isolated_environment, "jdl-user", args)
    yield from serve(project, tmp_path_factory.mktemp("served-jdl-user"))


@pytest.fixture(scope="session", params=["defaults", "healthcare"])
def personal_owned_target(request: pytest.FixtureRequest) -> Target:
    """A served project with owned rows and personal data: e-commerce and healthcare."""
    name = "target" if request.param == "defaults" else "healthcare_target"
    served: Target = request.getfixturevalue(name)
    return served


@pytest.fixture(scope="session")
def healthcare_target(
    isolated_environment: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The healthcare project (GDPR and HIPAA selected), served.

    ``BACKENDGEN_ATTACK_HEALTHCARE_PROJECT`` replaces the generated healthcare project.
    """
    given = os.environ.get("BACKENDGEN_ATTACK_HEALTHCARE_PROJECT")
    project = Path(given) if given else generated_project(isolated_environment, "healthcare")
    yield from serve(project, tmp_path_factory.mktemp("served-healthcare"))


@pytest.fixture(scope="session")
def fintech_target(
    isolated_environment: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The fintech project (SOX and PCI DSS selected), served.

    ``BACKENDGEN_ATTACK_FINTECH_PROJECT`` replaces the generated fintech project.
    """
    given = os.environ.get("BACKENDGEN_ATTACK_FINTECH_PROJECT")
    project = Path(given) if given else generated_project(isolated_environment, "fintech")
    yield from serve(project, tmp_path_factory.mktemp("served-fintech"))


SOX_LISTS = ("sox_immutable_records", "sox_maker_checker", "sox_distinct_references")
"""The security spec's SOX controls, which also refuse some changes the business rules do."""


@pytest.fixture(scope="session")
def rules_target(
    isolated_environment: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The fintech project rendered again without its SOX controls, served: only the core
    spec's business rules stand between a request and the database.

    ``BACKENDGEN_ATTACK_RULES_PROJECT`` replaces the rendered project.
    """
    given = os.environ.get("BACKENDGEN_ATTACK_RULES_PROJECT")
    if given:
        project = Path(given)
    else:
        fintech = generated_project(isolated_environment, "fintech")
        answers = yaml.safe_load((fintech / ".copier-answers.yml").read_text())
        data = {k: v for k, v in answers.items() if not k.startswith("_")}
        data["slot_security_compliance"] |= {key: [] for key in SOX_LISTS}
        project = tmp_path_factory.mktemp("fintech-without-sox") / "project"
        done = plain_copier_copy(project, data)
        assert done.returncode == 0, done.stderr[-3000:]
    yield from serve(project, tmp_path_factory.mktemp("served-rules"))


@pytest.fixture(scope="session", params=["defaults", "healthcare", "fintech"])
def personal_target(request: pytest.FixtureRequest) -> Target:
    """A served project holding personal data: e-commerce, healthcare, fintech."""
    name = {"defaults": "target"}.get(request.param, f"{request.param}_target")
    target: Target = request.getfixturevalue(name)
    return target
