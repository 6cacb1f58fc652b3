"""The metrics check: alerts query only series the contract or the project's code define."""

from __future__ import annotations

from pathlib import Path

import pytest

from backendgen.errors import CheckFailedError
from backendgen.verify.references import contract_metrics, registered_metrics

ALERTS = """\
groups:
  - name: api
    rules:
      - alert: BreakGlassAccessUsed
        expr: sum(increase(break_glass_grants_total[15m])) > 0
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{status=~"5.."}[5m])) > 1
"""

COUNTER = """\
from prometheus_client import Counter, Histogram

GRANTS = Counter(
    "break_glass_grants_total", "Break-glass grants opened.", ["role", "entity"]
)
LATENCY = Histogram("queue_wait_seconds", "Time a job waits.")
"""


def _project(root: Path, *, with_counter: bool) -> Path:
    (root / "monitoring" / "alerts").mkdir(parents=True)
    (root / "monitoring" / "alerts" / "alerts.yml").write_text(ALERTS)
    (root / "security").mkdir()
    if with_counter:
        (root / "security" / "glass.py").write_text(COUNTER)
    return root


def test_an_alert_on_a_series_nobody_registers_fails(tmp_path: Path) -> None:
    project = _project(tmp_path, with_counter=False)
    with pytest.raises(CheckFailedError, match="break_glass_grants_total"):
        contract_metrics(project)


def test_an_alert_on_a_series_the_project_registers_passes(tmp_path: Path) -> None:
    project = _project(tmp_path, with_counter=True)
    assert [p.name for p in contract_metrics(project)] == ["alerts.yml"]


def test_registered_series_carry_the_client_suffixes(tmp_path: Path) -> None:
    project = _project(tmp_path, with_counter=True)
    assert registered_metrics(project) == {
        "break_glass_grants_total",
        "queue_wait_seconds_bucket",
        "queue_wait_seconds_sum",
        "queue_wait_seconds_count",
    }


def test_a_metric_created_only_in_the_tests_does_not_count(tmp_path: Path) -> None:
    project = _project(tmp_path, with_counter=False)
    (project / "tests").mkdir()
    (project / "tests" / "fake.py").write_text(COUNTER)
    with pytest.raises(CheckFailedError):
        contract_metrics(project)
