"""Generated APIs keep their published contract under schemathesis (``--checks all``).

Each project of :data:`FUZZ_PROJECTS` is generated once (an ``xdist_group`` per project), served
by uvicorn on 127.0.0.1 with a fresh SQLite database, and fuzzed twice: anonymously, and as the
bootstrap administrator. The run uses a fixed seed and a small fixed number of examples; the
stateful phase follows the links schemathesis infers between operations. Any failure of any
check (server errors included) fails the test. The served document is also checked by
openapi-spec-validator.

The matrix covers every catalogue domain, three corpus JDL models, both auth modes, and the
compliance regimes: none, each one alone, and all four together.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from tests.conftest import generated_project
from tests.e2e.attack.conftest import ADMIN_EMAIL, SUITE_SETTINGS, production_env
from tests.e2e.attack.server import Server, migrate, start_server
from tests.fuzzing import OPERATIONS, SUMMARY, run_schemathesis

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "jdl"


def _domain(domain: str, compliance: str) -> list[str]:
    return ["--defaults", "-d", f"domain={domain}", "-d", f"compliance={compliance}"]


FUZZ_PROJECTS: dict[str, tuple[str, list[str]]] = {
    # Projects the rest of the suite shares (tests/conftest.py PROJECTS): same options.
    "defaults": ("jwt", ["--defaults"]),
    "saas": ("none", ["--defaults", "-d", "domain=saas", "-d", "auth=none", "-d", "compliance=[]"]),
    "fuzz-healthcare": ("jwt", _domain("healthcare", "[hipaa]")),
    "fuzz-fintech": ("jwt", _domain("fintech", "[pci_dss]")),
    "fuzz-logistics": ("jwt", _domain("logistics", "[sox]")),
    "fuzz-education": ("jwt", _domain("education", "[gdpr, hipaa, sox, pci_dss]")),
    "jdl-e-commerce": ("jwt", ["--defaults", "--domain", str(CORPUS / "e-commerce-monolith.jdl")]),
    "jdl-hr": (
        "none",
        [
            "--defaults",
            "--domain",
            str(CORPUS / "Oracle-Human-Resources-sample.jdl"),
            "-d",
            "auth=none",
            "-d",
            "compliance=[gdpr, sox]",
        ],
    ),
    "jdl-21-points": (
        "jwt",
        [
            "--defaults",
            "--domain",
            str(CORPUS / "21-points.jh"),
            "-d",
            "compliance=[hipaa, gdpr]",
        ],
    ),
}
"""Project name -> (auth, ``backendgen new`` options)."""


def _cases() -> Iterator[object]:
    for name, (auth, _) in FUZZ_PROJECTS.items():
        callers = ["anonymous", "admin"] if auth == "jwt" else ["anonymous"]
        for caller in callers:
            yield pytest.param(
                name,
                caller,
                id=f"{name}-{caller}",
                marks=[pytest.mark.slow, pytest.mark.xdist_group(f"fuzz-{name}")],
            )


def _serve(project: Path, workdir: Path) -> tuple[Server, str]:
    """Serve ``project`` in production mode with a bootstrap administrator."""
    workdir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    env = production_env(workdir / "app.db", password, **SUITE_SETTINGS)
    migrate(project, env)
    return start_server(project, env, workdir / "server.log"), password


@pytest.mark.parametrize(("name", "caller"), list(_cases()))
def test_api_keeps_its_contract_under_schemathesis(
    name: str, caller: str, isolated_environment: Path, tmp_path: Path
) -> None:
    _, args = FUZZ_PROJECTS[name]
    project = generated_project(isolated_environment, name, args)
    server, password = _serve(project, tmp_path)
    try:
        document = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
        validate(document)
        headers: dict[str, str] = {}
        if caller == "admin":
            signed_in = httpx.post(
                f"{server.base_url}/auth/token",
                json={"email": ADMIN_EMAIL, "password": password},
                timeout=30,
            )
            assert signed_in.status_code == 200, signed_in.text
            headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        code, output = run_schemathesis(server.base_url, caller, headers, tmp_path, project)
    finally:
        server.stop()
    summary = SUMMARY.search(output)
    operations = OPERATIONS.search(output)
    sys.stdout.write(
        f"{name}/{caller}: {operations.group(1) if operations else '?'} operations, "
        f"{summary.group(0).strip() if summary else 'no summary'}\n"
    )
    assert code == 0, output[-12000:]
    assert summary is not None, output[-12000:]
    assert "fail" not in summary.group(0), output[-12000:]
