"""The alert rules parse and watch only metrics and routes this API really exposes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

ALERTS = Path(__file__).resolve().parents[3] / "monitoring" / "alerts" / "alerts.yml"
SEVERITIES = {"critical", "warning", "info"}
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _metric_names(expr: str) -> set[str]:
    """Names of the series an expression selects (functions, labels and keywords removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = re.findall(r"(?<![\w.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", text)
    return {name for name in names if name.lower() not in PROMQL_WORDS}


def _exposed_metrics(client: TestClient) -> set[str]:
    client.get("/health")
    response = client.get("/metrics")
    assert response.status_code == 200
    names: set[str] = set()
    for family in text_string_to_metric_families(response.text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(f"{family.name}_total")
        if family.type == "histogram":
            names.update(f"{family.name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
    return names


def test_rule_file_parses_and_every_alert_is_complete() -> None:
    rules = _rules()
    assert rules
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert rule["expr"].strip()
        assert rule["labels"]["severity"] in SEVERITIES
        assert rule["annotations"]["summary"]
        assert re.fullmatch(r"\d+m", rule["for"])


def test_metric_names_are_found_in_expressions() -> None:
    expr = 'sum by (le) (rate(http_request_duration_seconds_bucket{route=~"/a(/.*)?"}[5m])) > 1e-05'
    assert _metric_names(expr) == {"http_request_duration_seconds_bucket"}


def test_alerts_use_only_metrics_the_app_exposes(client: TestClient) -> None:
    exposed = _exposed_metrics(client)
    for rule in _rules():
        used = _metric_names(rule["expr"])
        assert used, rule["alert"]
        assert used <= exposed, f"{rule['alert']} uses unknown metrics {used - exposed}"


def test_entity_alerts_match_routes_of_the_app(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    templates = list(app.openapi()["paths"])
    for rule in _rules():
        for pattern in re.findall(r'route=~"([^"]*)"', rule["expr"]):
            assert any(re.fullmatch(pattern, path) for path in templates), (
                f"{rule['alert']}: no route of the app matches {pattern}"
            )


def test_entity_alerts_match_the_route_labels_of_real_requests(client: TestClient) -> None:
    patterns = {
        pattern for rule in _rules() for pattern in re.findall(r'route=~"([^"]*)"', rule["expr"])
    }
    for pattern in patterns:
        client.get(pattern.removesuffix("(/.*)?"))
    labels = {
        sample.labels["route"]
        for family in text_string_to_metric_families(client.get("/metrics").text)
        for sample in family.samples
        if sample.name == "http_requests_total"
    }
    for pattern in patterns:
        assert any(re.fullmatch(pattern, label) for label in labels), (
            f"no request was counted under a route label matching {pattern}: {sorted(labels)}"
        )
