"""The real validators every generated backend must pass (see shared VALIDATORS.md).

One function per validator: each takes a generated project's path, runs the real tool in a
subprocess and raises ``AssertionError`` with the tool's output when it fails. Each returns the
files it checked (empty when the project has no such artifact, e.g. no Kubernetes manifests in a
Docker Compose project). Tools come from ``tests/install-validators.sh``: Python ones from the
virtualenv running the tests, ``promtool`` from Debian's ``prometheus``, TypeScript and
``@grafana/schema`` from ``tests/node`` (``npm ci``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
NODE_DIR = REPO / "tests" / "node"
TSC = NODE_DIR / "node_modules" / ".bin" / "tsc"
SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache"}

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

CONTRACT_METRICS = frozenset(
    {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_sum",
        "http_request_duration_seconds_count",
        "http_requests_in_progress",
    }
)
"""Series the generated API exposes (docs/template-contract.md, core/middleware/metrics.py)."""

GRAFANA_INTERVALS = re.compile(
    r"\$__(?:rate_interval|interval|range)|\$\{__(?:rate_interval|interval|range)\}"
)


class ValidatorUnavailableError(RuntimeError):
    """An optional tool (Node.js for dashboards) is not installed here."""


def _tool(name: str) -> str:
    """Path of a tool: the test virtualenv's bin directory first, then PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise AssertionError(f"{name} is not installed: run tests/install-validators.sh")
    return found


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a validator; raise AssertionError with its output when it fails."""
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed in {cwd} (exit {done.returncode}):\n"
            f"{done.stdout}\n{done.stderr}".rstrip()
        )
    return done.stdout


def _files(project: Path, patterns: Iterable[str]) -> list[Path]:
    """Files of the project matching glob patterns, outside virtualenvs and caches."""
    found: set[Path] = set()
    for pattern in patterns:
        for path in project.glob(pattern):
            relative = path.relative_to(project).parts
            if path.is_file() and not SKIPPED_DIRS.intersection(relative):
                found.add(path)
    return sorted(found)


def _rel(project: Path, paths: Iterable[Path]) -> list[str]:
    return [str(path.relative_to(project)) for path in paths]


def hadolint(project: Path) -> list[Path]:
    """Dockerfile: hadolint at its default level (info findings fail too)."""
    files = _files(project, ["infrastructure/docker/Dockerfile", "**/Dockerfile"])
    for dockerfile in files:
        _run([_tool("hadolint"), "--no-color", str(dockerfile.relative_to(project))], project)
    return files


def _compose_env(compose: Path) -> dict[str, str]:
    """A dummy value for every variable the file requires with ``${VAR:?...}``."""
    required = re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", compose.read_text())
    return dict.fromkeys(required, "validator-placeholder")


def compose_config(project: Path) -> list[Path]:
    """docker-compose.yml: the Compose v2 binary's own model check (no engine needed)."""
    files = _files(project, ["infrastructure/docker/docker-compose.yml", "**/docker-compose.yml"])
    for compose in files:
        _run(
            [_tool("docker-compose"), "-f", str(compose), "config", "-q"],
            compose.parent,
            env=_compose_env(compose),
        )
    return files


def compose_schema(project: Path) -> list[Path]:
    """docker-compose.yml: the Compose specification's JSON schema."""
    files = _files(project, ["**/docker-compose.yml"])
    if files:
        _run(
            [
                _tool("check-jsonschema"),
                "--builtin-schema",
                "vendor.compose-spec",
                *_rel(project, files),
            ],
            project,
        )
    return files


def gitlab_schema(project: Path) -> list[Path]:
    """.gitlab-ci.yml: GitLab's CI JSON schema."""
    files = _files(project, [".gitlab-ci.yml"])
    if files:
        _run(
            [_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
            project,
        )
    return files


def kubernetes(project: Path) -> list[Path]:
    """Kubernetes manifests: kubernetes-validate in strict mode (unknown fields fail)."""
    files = _files(project, ["infrastructure/k8s/*.yaml", "infrastructure/k8s/*.yml"])
    if files:
        _run([_tool("kubernetes-validate"), "--strict", "--quiet", *_rel(project, files)], project)
    return files


def _manifests(files: list[Path]) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in files:
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def _subset(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def kubernetes_references(project: Path) -> list[Path]:  # noqa: PLR0912, PLR0915 - a checklist
    """Kubernetes manifests: names, labels and ports that refer to each other agree."""
    files = _files(project, ["infrastructure/k8s/*.yaml", "infrastructure/k8s/*.yml"])
    if not files:
        return files
    docs = _manifests(files)
    problems: list[str] = []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    namespaces = {doc["metadata"]["name"] for doc in by_kind.get("Namespace", [])}
    for doc in docs:
        namespace = doc["metadata"].get("namespace")
        if doc["kind"] != "Namespace" and namespace not in namespaces:
            problems.append(
                f"{doc['kind']} {doc['metadata']['name']}: unknown namespace {namespace}"
            )
    deployments = by_kind.get("Deployment", [])
    if len(deployments) != 1:
        problems.append(f"expected one Deployment, found {len(deployments)}")
        raise AssertionError("\n".join(problems))
    deployment = deployments[0]
    pod = deployment["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    if not _subset(deployment["spec"]["selector"]["matchLabels"], pod_labels):
        problems.append("Deployment selector does not match its pod labels")
    containers = pod["spec"]["containers"] + pod["spec"].get("initContainers", [])
    api = pod["spec"]["containers"][0]
    port_names = {p["name"]: p["containerPort"] for p in api.get("ports", [])}
    configmaps = {doc["metadata"]["name"] for doc in by_kind.get("ConfigMap", [])}
    for container in containers:
        for source in container.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            if ref is not None and ref not in configmaps:
                problems.append(f"container {container['name']}: unknown ConfigMap {ref}")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            port = container.get(probe, {}).get("httpGet", {}).get("port")
            if isinstance(port, str) and port not in port_names:
                problems.append(f"{probe}: unknown port {port}")
    probes = {
        p: api.get(p, {}).get("httpGet", {}).get("path")
        for p in ("livenessProbe", "readinessProbe")
    }
    if probes != {"livenessProbe": "/health", "readinessProbe": "/ready"}:
        problems.append(f"probes should hit /health and /ready, got {probes}")
    annotations = pod["metadata"].get("annotations", {})
    if annotations.get("prometheus.io/port") not in {str(p) for p in port_names.values()}:
        problems.append("prometheus.io/port is not a container port")
    secrets = {
        env["valueFrom"]["secretKeyRef"]["name"]
        for container in containers
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    if len(secrets) > 1:
        problems.append(f"secrets come from several Secrets: {sorted(secrets)}")
    services = by_kind.get("Service", [])
    for service in services:
        if not _subset(service["spec"]["selector"], pod_labels):
            problems.append(f"Service {service['metadata']['name']} selects no API pod")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort")
            if isinstance(target, str) and target not in port_names:
                problems.append(f"Service {service['metadata']['name']}: unknown port {target}")
    service_ports = {
        service["metadata"]["name"]: {p.get("name") for p in service["spec"]["ports"]}
        for service in services
    }
    for ingress in by_kind.get("Ingress", []):
        for rule in ingress["spec"].get("rules", []):
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                if backend["port"].get("name") not in service_ports.get(backend["name"], set()):
                    problems.append(f"Ingress backend {backend} matches no Service port")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) != ("Deployment", deployment["metadata"]["name"]):
            problems.append(f"HPA targets {target}")
        if not hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]:
            problems.append("HPA minReplicas > maxReplicas")
    for pdb in by_kind.get("PodDisruptionBudget", []):
        if not _subset(pdb["spec"]["selector"]["matchLabels"], pod_labels):
            problems.append("PodDisruptionBudget selects no API pod")
    for policy in by_kind.get("NetworkPolicy", []):
        if not _subset(policy["spec"]["podSelector"]["matchLabels"], pod_labels):
            problems.append("NetworkPolicy selects no API pod")
    security = pod["spec"].get("securityContext", {})
    if not security.get("runAsNonRoot"):
        problems.append("pod does not set runAsNonRoot")
    for container in containers:
        if not container.get("securityContext", {}).get("readOnlyRootFilesystem"):
            problems.append(f"container {container['name']}: root filesystem is writable")
    if problems:
        raise AssertionError("Kubernetes references:\n" + "\n".join(problems))
    return files


def actionlint(project: Path) -> list[Path]:
    """GitHub Actions workflows: actionlint (with shellcheck on `run:` scripts)."""
    files = _files(project, [".github/workflows/*.yml", ".github/workflows/*.yaml"])
    if files:
        env = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        _run([_tool("actionlint"), "-no-color", *_rel(project, files)], project, env=env)
    return files


def zizmor(project: Path) -> list[Path]:
    """GitHub Actions workflows: zizmor's offline security audits."""
    files = _files(project, [".github/workflows/*.yml", ".github/workflows/*.yaml"])
    if files:
        _run([_tool("zizmor"), "--offline", "--no-progress", ".github/workflows"], project)
    return files


def shellcheck(project: Path) -> list[Path]:
    """Shell scripts: shellcheck."""
    files = _files(project, ["**/*.sh"])
    if files:
        _run([_tool("shellcheck"), "-f", "gcc", *_rel(project, files)], project)
    return files


def yamllint(project: Path) -> list[Path]:
    """Every YAML file: yamllint, strict, with relaxed rules."""
    files = _files(project, ["**/*.yml", "**/*.yaml", ".*.yml", ".github/**/*.yml"])
    files = [path for path in files if path.name not in MACHINE_WRITTEN_YAML]
    if files:
        _run(
            [
                _tool("yamllint"),
                "-s",
                "-f",
                "parsable",
                "-d",
                YAMLLINT_CONFIG,
                *_rel(project, files),
            ],
            project,
        )
    return files


def promtool_config(project: Path) -> list[Path]:
    """Prometheus configuration: promtool check config."""
    files = _files(project, ["infrastructure/monitoring/prometheus.yml"])
    for config in files:
        _run([_tool("promtool"), "check", "config", str(config)], project)
    return files


def promtool_rules(project: Path) -> list[Path]:
    """Alert rules: promtool check rules."""
    files = _files(project, ["monitoring/alerts/alerts.yml"])
    for rules in files:
        _run([_tool("promtool"), "check", "rules", str(rules)], project)
    return files


def promtool_rule_tests(project: Path) -> list[Path]:
    """Alert rules: their promtool unit tests (each alert fires on one input, not on another)."""
    files = _files(project, ["monitoring/alerts/*_test.yml"])
    for tests in files:
        _run([_tool("promtool"), "test", "rules", tests.name], tests.parent)
    return files


def _dashboard_exprs(dashboard: dict[str, Any]) -> list[str]:
    exprs: list[str] = []
    panels = list(dashboard.get("panels", []))
    while panels:
        panel = panels.pop()
        panels += panel.get("panels", [])
        exprs += [t["expr"] for t in panel.get("targets", []) if t.get("expr")]
    return exprs


def dashboard_promql(project: Path) -> list[Path]:
    """Dashboards: every panel query is valid PromQL (promtool, Grafana intervals as 5m)."""
    files = _files(project, ["monitoring/dashboards/*.json"])
    for path in files:
        exprs = _dashboard_exprs(json.loads(path.read_text()))
        if not exprs:
            raise AssertionError(f"{path.name}: no panel queries")
        rules = [
            {"record": f"dashboard:panel_{index}", "expr": GRAFANA_INTERVALS.sub("5m", expr)}
            for index, expr in enumerate(exprs)
        ]
        with tempfile.TemporaryDirectory() as tmp:
            rule_file = Path(tmp) / "dashboard_rules.yml"
            rule_file.write_text(yaml.safe_dump({"groups": [{"name": "d", "rules": rules}]}))
            _run([_tool("promtool"), "check", "rules", str(rule_file)], project)
    return files


def grafana_schema(project: Path) -> list[Path]:
    """Dashboards: type-checked against ``@grafana/schema``'s ``Dashboard`` with tsc --strict."""
    files = _files(project, ["monitoring/dashboards/*.json"])
    if not files:
        return files
    if not TSC.exists():
        raise ValidatorUnavailableError(
            "tests/node is not installed (npm ci): dashboards unchecked"
        )
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
        _run(
            [
                str(TSC),
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


def metric_names(expr: str) -> set[str]:
    """Names of the series a PromQL expression selects (functions, labels, keywords removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", GRAFANA_INTERVALS.sub("5m", expr))
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = re.findall(r"(?<![\w.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", text)
    return {
        n for n in names if n.lower() not in {"and", "or", "unless", "bool", "offset", "inf", "nan"}
    }


def contract_metrics(project: Path) -> list[Path]:
    """Alerts and dashboards query only the metrics of the template contract."""
    files = _files(project, ["monitoring/alerts/alerts.yml", "monitoring/dashboards/*.json"])
    problems = []
    for path in files:
        if path.suffix == ".json":
            exprs = _dashboard_exprs(json.loads(path.read_text()))
        else:
            groups = yaml.safe_load(path.read_text())["groups"]
            exprs = [rule["expr"] for group in groups for rule in group["rules"]]
        for expr in exprs:
            unknown = metric_names(expr) - CONTRACT_METRICS
            if unknown or not metric_names(expr):
                problems.append(f"{path.name}: {expr!r} uses {sorted(unknown) or 'no metric'}")
    if problems:
        raise AssertionError("\n".join(problems))
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
}
"""Every validator by name, for parametrised tests."""
