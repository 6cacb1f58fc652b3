"""Every generated project passes the real validators of tests/validators.py.

The validators themselves are checked too: each must reject a deliberately broken artifact, so a
green run cannot come from a validator that looks at nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.validators import VALIDATORS, ValidatorUnavailableError


@pytest.mark.parametrize("name", sorted(VALIDATORS))
def test_generated_projects_pass(name: str, generated_projects: dict[str, Path]) -> None:
    validator = VALIDATORS[name]
    checked: dict[str, int] = {}
    failures: list[str] = []
    for project_name, project in sorted(generated_projects.items()):
        try:
            checked[project_name] = len(validator(project))
        except ValidatorUnavailableError as missing:
            pytest.fail(f"{missing}: run tests/install-validators.sh")
        except AssertionError as failure:
            failures.append(f"--- {project_name}\n{failure}")
    assert not failures, "\n".join(failures)
    assert any(checked.values()), f"no generated project has what {name} checks"


def _copy(project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(project, target, ignore=shutil.ignore_patterns(".git", ".venv"))
    return target


BREAKAGES: dict[str, tuple[str, str, str]] = {
    "hadolint": ("infrastructure/docker/Dockerfile", "USER 10001:10001", "USER app"),
    "kubernetes": ("infrastructure/k8s/service.yaml", "  type: ClusterIP", "  typo: ClusterIP"),
    "kubernetes_references": (
        "infrastructure/k8s/service.yaml",
        "targetPort: http",
        "targetPort: metrics",
    ),
    "compose_schema": ("infrastructure/docker/docker-compose.yml", "restart:", "restarts:"),
    "promtool_rules": ("monitoring/alerts/alerts.yml", "sum(rate(", "sum(rate(("),
    "promtool_rule_tests": (
        "monitoring/alerts/alerts.yml",
        "severity: critical",
        "severity: page",
    ),
    "shellcheck": (
        "infrastructure/scripts/migrate.sh",
        'exec alembic upgrade "${target}"',
        "exec alembic upgrade $target",
    ),
    "actionlint": (".github/workflows/ci.yml", "runs-on: ubuntu-latest", "runs-on: [ubuntu-latest"),
    "zizmor": (
        ".github/workflows/ci.yml",
        "run: python -m pytest",
        'run: echo "${{ github.event.pull_request.title }}"',
    ),
    "grafana_schema": ("monitoring/dashboards", '"graphTooltip"', '"graphTooltips"'),
    "pymarkdown": ("README.md", "## Quick start", "##  Quick start"),
    "detect_secrets": (
        "core/config/settings.py",
        "    app_name: str",
        '    aws_access_key_id: str = "AKIA4HZQ2XWLMN7PQRST"\n    app_name: str',
    ),
    "checkov": ("infrastructure/docker/Dockerfile", "USER 10001:10001", "USER root"),
    "openapi_document": ("docs/openapi.json", '"paths": {', '"paths": {"no-leading-slash": {}, '),
}
"""Per validator: a file of the defaults project, a text in it and what breaks it."""


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_validators_reject_broken_artifacts(
    name: str, generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = _copy(generated_projects["defaults"], tmp_path)
    relative, text, broken = BREAKAGES[name]
    target = project / relative
    if target.is_dir():
        target = sorted(target.glob("*.json"))[0]
    source = target.read_text()
    assert text in source, f"{relative} no longer contains {text!r}: update the breakage"
    target.write_text(source.replace(text, broken, 1))
    try:
        with pytest.raises(AssertionError):
            VALIDATORS[name](project)
    except ValidatorUnavailableError as missing:
        pytest.fail(f"{missing}: run tests/install-validators.sh")
