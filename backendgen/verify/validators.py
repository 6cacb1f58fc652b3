"""The real validators every generated backend must pass (see shared VALIDATORS.md).

One function per validator: each takes a generated project's path, runs the real tool in a
subprocess and raises :class:`~backendgen.errors.CheckFailedError` (an ``AssertionError``) with
the tool's output when it fails, or :class:`~backendgen.errors.ToolMissingError`. Each returns the
files it checked (empty when the project has no such artifact, e.g. no Kubernetes manifests in a
Docker Compose project). Tools come from ``tests/install-validators.sh``: Python ones from the
virtualenv running backendgen (or PATH), ``promtool`` from Debian's ``prometheus``, TypeScript and
``@grafana/schema`` from ``tests/node`` (``npm ci``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

from backendgen.errors import CheckFailedError, ToolMissingError
from backendgen.verify.references import (
    GRAFANA_INTERVALS,
    contract_metrics,
    dashboard_exprs,
    kubernetes_references,
)
from backendgen.verify.scanners import checkov, detect_secrets, openapi_document, pymarkdown
from backendgen.verify.tools import find_tool, project_files, relative, run_tool

NODE_DIR = Path(
    os.environ.get("BACKENDGEN_NODE_DIR", Path(__file__).resolve().parents[2] / "tests" / "node")
)
"""Where TypeScript and ``@grafana/schema`` are installed (``npm ci``): a checkout's tests/node."""

INSTALL_GRAFANA = "cd tests/node && npm ci (or npm i @grafana/schema typescript there)"
"""How to install the dashboard type check; ``BACKENDGEN_NODE_DIR`` points elsewhere."""

YAMLLINT_CONFIG = """\
extends: relaxed
rules:
  line-length: disable
  truthy:
    check-keys: false
  comments:
    min-spaces-from-content: 1
"""
"""Relaxed yamllint rules: the default config flags `on:` in workflows and long lines."""

MACHINE_WRITTEN_YAML = frozenset({".copier-answers.yml"})
"""YAML that Copier writes itself (its own indentation style); not linted."""


def hadolint(project: Path) -> list[Path]:
    """Dockerfile: hadolint at its default level (info findings fail too)."""
    files = project_files(project, ["infrastructure/docker/Dockerfile", "**/Dockerfile"])
    for dockerfile in files:
        run_tool(
            [find_tool("hadolint"), "--no-color", str(dockerfile.relative_to(project))], project
        )
    return files


def _compose_env(compose: Path) -> dict[str, str]:
    """A dummy value for every variable the file requires with ``${VAR:?...}``."""
    required = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", compose.read_text())
    return dict.fromkeys(required, "validator-placeholder")


def compose_config(project: Path) -> list[Path]:
    """docker-compose.yml: the Compose v2 binary's own model check (no engine needed)."""
    files = project_files(
        project, ["infrastructure/docker/docker-compose.yml", "**/docker-compose.yml"]
    )
    for compose in files:
        run_tool(
            [find_tool("docker-compose"), "-f", str(compose), "config", "-q"],
            compose.parent,
            env=_compose_env(compose),
        )
    return files


def compose_schema(project: Path) -> list[Path]:
    """docker-compose.yml: the Compose specification's JSON schema."""
    files = project_files(project, ["**/docker-compose.yml"])
    if files:
        run_tool(
            [
                find_tool("check-jsonschema"),
                "--builtin-schema",
                "vendor.compose-spec",
                *relative(project, files),
            ],
            project,
        )
    return files


def gitlab_schema(project: Path) -> list[Path]:
    """.gitlab-ci.yml: GitLab's CI JSON schema."""
    files = project_files(project, [".gitlab-ci.yml"])
    if files:
        run_tool(
            [
                find_tool("check-jsonschema"),
                "--builtin-schema",
                "vendor.gitlab-ci",
                ".gitlab-ci.yml",
            ],
            project,
        )
    return files


def kubernetes(project: Path) -> list[Path]:
    """Kubernetes manifests: kubernetes-validate in strict mode (unknown fields fail)."""
    files = project_files(project, ["infrastructure/k8s/*.yaml", "infrastructure/k8s/*.yml"])
    if files:
        run_tool(
            [find_tool("kubernetes-validate"), "--strict", "--quiet", *relative(project, files)],
            project,
        )
    return files


def actionlint(project: Path) -> list[Path]:
    """GitHub Actions workflows: actionlint (with shellcheck on `run:` scripts)."""
    files = project_files(project, [".github/workflows/*.yml", ".github/workflows/*.yaml"])
    if files:
        env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        run_tool(
            [find_tool("actionlint"), "-no-color", *relative(project, files)], project, env=env
        )
    return files


def zizmor(project: Path) -> list[Path]:
    """GitHub Actions workflows: zizmor's offline security audits."""
    files = project_files(project, [".github/workflows/*.yml", ".github/workflows/*.yaml"])
    if files:
        run_tool([find_tool("zizmor"), "--offline", "--no-progress", ".github/workflows"], project)
    return files


def shellcheck(project: Path) -> list[Path]:
    """Shell scripts: shellcheck."""
    files = project_files(project, ["**/*.sh"])
    if files:
        run_tool([find_tool("shellcheck"), "-f", "gcc", *relative(project, files)], project)
    return files


def yamllint(project: Path) -> list[Path]:
    """Every YAML file: yamllint, strict, with relaxed rules."""
    files = project_files(project, ["**/*.yml", "**/*.yaml", ".*.yml", ".github/**/*.yml"])
    files = [path for path in files if path.name not in MACHINE_WRITTEN_YAML]
    if files:
        run_tool(
            [
                find_tool("yamllint"),
                "-s",
                "-f",
                "parsable",
                "-d",
                YAMLLINT_CONFIG,
                *relative(project, files),
            ],
            project,
        )
    return files


def promtool_config(project: Path) -> list[Path]:
    """Prometheus configuration: promtool check config."""
    files = project_files(project, ["infrastructure/monitoring/prometheus.yml"])
    for config in files:
        run_tool([find_tool("promtool"), "check", "config", str(config)], project)
    return files


def promtool_rules(project: Path) -> list[Path]:
    """Alert rules: promtool check rules."""
    files = project_files(project, ["monitoring/alerts/alerts.yml"])
    for rules in files:
        run_tool([find_tool("promtool"), "check", "rules", str(rules)], project)
    return files


def promtool_rule_tests(project: Path) -> list[Path]:
    """Alert rules: their promtool unit tests (each alert fires on one input, not on another)."""
    files = project_files(project, ["monitoring/alerts/*_test.yml"])
    for tests in files:
        run_tool([find_tool("promtool"), "test", "rules", tests.name], tests.parent)
    return files


def dashboard_promql(project: Path) -> list[Path]:
    """Dashboards: every panel query is valid PromQL (promtool, Grafana intervals as 5m)."""
    files = project_files(project, ["monitoring/dashboards/*.json"])
    for path in files:
        exprs = dashboard_exprs(json.loads(path.read_text()))
        if not exprs:
            raise CheckFailedError(f"{path.name}: no panel queries")
        rules = [
            {"record": f"dashboard:panel_{index}", "expr": GRAFANA_INTERVALS.sub("5m", expr)}
            for index, expr in enumerate(exprs)
        ]
        with tempfile.TemporaryDirectory() as tmp:
            rule_file = Path(tmp) / "dashboard_rules.yml"
            rule_file.write_text(yaml.safe_dump({"groups": [{"name": "d", "rules": rules}]}))
            run_tool([find_tool("promtool"), "check", "rules", str(rule_file)], project)
    return files


def grafana_schema(project: Path) -> list[Path]:
    """Dashboards: type-checked against ``@grafana/schema``'s ``Dashboard`` with tsc --strict."""
    files = project_files(project, ["monitoring/dashboards/*.json"])
    if not files:
        return files
    tsc = NODE_DIR / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        raise ToolMissingError(f"tsc and @grafana/schema in {NODE_DIR}", INSTALL_GRAFANA)
    work = Path(tempfile.mkdtemp(prefix="check-", dir=NODE_DIR))
    try:
        sources = []
        for index, path in enumerate(files):
            source = work / f"dashboard_{index}.ts"
            source.write_text(
                "import type { Dashboard } from '@grafana/schema';\n"
                f"// {path.relative_to(project)}\n"
                f"export const dashboard: Dashboard = {path.read_text()};\n"
            )
            sources.append(str(source))
        run_tool(
            [
                str(tsc),
                "--strict",
                "--noEmit",
                "--skipLibCheck",
                "--target",
                "es2020",
                "--module",
                "commonjs",
                "--moduleResolution",
                "node",
                *sources,
            ],
            NODE_DIR,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return files


VALIDATORS: dict[str, Callable[[Path], list[Path]]] = {
    "hadolint": hadolint,
    "compose_config": compose_config,
    "compose_schema": compose_schema,
    "gitlab_schema": gitlab_schema,
    "kubernetes": kubernetes,
    "kubernetes_references": kubernetes_references,
    "actionlint": actionlint,
    "zizmor": zizmor,
    "shellcheck": shellcheck,
    "yamllint": yamllint,
    "promtool_config": promtool_config,
    "promtool_rules": promtool_rules,
    "promtool_rule_tests": promtool_rule_tests,
    "dashboard_promql": dashboard_promql,
    "grafana_schema": grafana_schema,
    "contract_metrics": contract_metrics,
    "pymarkdown": pymarkdown,
    "detect_secrets": detect_secrets,
    "checkov": checkov,
    "openapi_document": openapi_document,
}
"""Every validator by name, for parametrised tests."""
