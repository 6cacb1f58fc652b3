"""Checks no single tool makes: manifests that refer to each other, metrics the API exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from backendgen.errors import CheckFailedError
from backendgen.verify.tools import project_files

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
"""Grafana's interval variables, which PromQL tools do not know."""


def _manifests(files: list[Path]) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in files:
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def _subset(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def kubernetes_references(project: Path) -> list[Path]:  # noqa: PLR0912, PLR0915 - a checklist
    """Kubernetes manifests: names, labels and ports that refer to each other agree."""
    files = project_files(project, ["infrastructure/k8s/*.yaml", "infrastructure/k8s/*.yml"])
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
        raise CheckFailedError("\n".join(problems))
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
        raise CheckFailedError("Kubernetes references:\n" + "\n".join(problems))
    return files


def dashboard_exprs(dashboard: dict[str, Any]) -> list[str]:
    """Every panel query of a Grafana dashboard (nested rows included)."""
    exprs: list[str] = []
    panels = list(dashboard.get("panels", []))
    while panels:
        panel = panels.pop()
        panels += panel.get("panels", [])
        exprs += [t["expr"] for t in panel.get("targets", []) if t.get("expr")]
    return exprs


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


REGISTERED_METRIC = re.compile(
    r"\b(Counter|Gauge|Histogram|Summary)\(\s*[\"']([A-Za-z_:][\w:]*)[\"']"
)
"""A ``prometheus_client`` metric created in the project's own code, and its name."""

_SERIES_SUFFIXES = {
    "Counter": ("_total",),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_sum", "_count"),
    "Summary": ("_sum", "_count"),
}


def registered_metrics(project: Path) -> set[str]:
    """Series the project's own Python code registers beyond the template contract.

    A feature may add metrics (the HIPAA break-glass counts its grants); an alert may
    query such a series only when the project's code creates it.

    Args:
        project: The generated project's root.

    Returns:
        The series names, with the suffixes ``prometheus_client`` exposes.
    """
    series: set[str] = set()
    for source in sorted(project.glob("**/*.py")):
        if ".venv" in source.parts or "tests" in source.parts:
            continue
        for kind, name in REGISTERED_METRIC.findall(source.read_text(encoding="utf-8")):
            base = name.removesuffix("_total") if kind == "Counter" else name
            series |= {base + suffix for suffix in _SERIES_SUFFIXES[kind]}
    return series


def contract_metrics(project: Path) -> list[Path]:
    """Alerts and dashboards query only the contract's metrics and those the project registers."""
    files = project_files(project, ["monitoring/alerts/alerts.yml", "monitoring/dashboards/*.json"])
    known = CONTRACT_METRICS | registered_metrics(project)
    problems = []
    for path in files:
        if path.suffix == ".json":
            exprs = dashboard_exprs(json.loads(path.read_text()))
        else:
            groups = yaml.safe_load(path.read_text())["groups"]
            exprs = [rule["expr"] for group in groups for rule in group["rules"]]
        for expr in exprs:
            unknown = metric_names(expr) - known
            if unknown or not metric_names(expr):
                problems.append(f"{path.name}: {expr!r} uses {sorted(unknown) or 'no metric'}")
    if problems:
        raise CheckFailedError("\n".join(problems))
    return files
