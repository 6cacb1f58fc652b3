"""Fallback reasons a person can read, for every kind of failure, over the real wire.

Each reason must name its cause and read the same in the terminal, the report and the
``Backendgen-Fallback-Reason`` trailer: one line, at most 200 characters.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git
import pytest

from tests.fakes import FaultResponder, HttpError, Refusal, request_name, running_server
from tests.helpers import project_env, run_backendgen
from tests.integration.test_llm_wire import _generate, consistent_model, openai_new_args

pytestmark = pytest.mark.slow


def reasons_everywhere(project: Path, stderr: str) -> dict[str, str]:
    """Each fallen-back agent's reason, checked to read the same in report, trailer, terminal.

    Returns:
        Reasons by agent name.
    """
    report = json.loads((project / ".backendgen" / "report.json").read_text())
    reasons = {a["name"]: a["fallback_reason"] for a in report["agents"] if a["fallback_reason"]}
    trailers = {}
    for commit in git.Repo(project).iter_commits():
        values = commit.trailers_dict
        if "Backendgen-Fallback-Reason" in values:
            trailers[values["Backendgen-Agent"][0]] = values["Backendgen-Fallback-Reason"][0]
    assert trailers == reasons
    for name, reason in reasons.items():
        assert "\n" not in reason
        assert len(reason) <= 200, reason
        assert "</" not in reason, reason
        terminal = f"fell back to its blueprint: {reason}"
        assert f"warning: {name} {terminal}" in stderr or f"warning: {reason}: every" in stderr
    return reasons


DEVOPS, SECURITY, MONITORING, DOCS, TESTING = (
    "DevopsInfrastructureSpec",
    "SecurityComplianceSpec",
    "MonitoringObservabilitySpec",
    "DocumentationSpec",
    "TestingQaSpec",
)
STORM = FaultResponder.rate_limited(times=1000, retry_after=0.05)
DOWN = FaultResponder.server_error(times=1000, status=500)
HANG = FaultResponder.hang(times=1000, seconds=20)


def failing_model(body: Mapping[str, Any]) -> Any:
    """Core succeeds; every other agent fails in its own way."""
    name = request_name(body)
    if name == DEVOPS:
        return {"port": 1}  # schema-invalid, on every attempt
    if name == SECURITY:
        return STORM(body)
    if name == MONITORING:
        return HANG(body)
    if name == DOCS:
        return DOWN(body)
    if name == TESTING:
        return Refusal("I can't help with generating that.")
    return consistent_model(body)


def test_each_failure_kind_names_its_cause(tmp_path: Path) -> None:
    with running_server(failing_model) as fake:
        done = _generate(fake.base_url, tmp_path / "p", tmp_path / "cache", "--timeout", "1")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    reasons = reasons_everywhere(tmp_path / "p", done.stderr)
    assert reasons["devops_infrastructure"] == (
        "invalid spec after 3 attempts: 1 error: port: Input should be greater than or "
        "equal to 1024"
    )
    assert reasons["security_compliance"] == (
        "endpoint kept rate-limiting (HTTP 429) after retries: Rate limit reached (fake)"
    )
    assert reasons["monitoring_observability"] == (
        "endpoint timed out: no answer within 1s, retries included"
    )
    assert reasons["documentation"] == (
        "endpoint answered HTTP 500: The server had an error (fake)"
    )
    assert reasons["testing_qa"] == "the model refused: I can't help with generating that."
    assert "core_backend" not in reasons


def test_validation_reason_lists_the_first_three_errors_with_paths(tmp_path: Path) -> None:
    def model(body: Mapping[str, Any]) -> Any:
        if request_name(body) == DEVOPS:
            return {"port": 1, "workers": 0, "env": [{"name": "lower case", "value": 1}]}
        return consistent_model(body)

    with running_server(model) as fake:
        done = _generate(fake.base_url, tmp_path / "p", tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    reason = reasons_everywhere(tmp_path / "p", done.stderr)["devops_infrastructure"]
    assert reason.startswith("invalid spec after 3 attempts: 4 errors: port: ")
    assert "; workers: " in reason
    assert "; env.0.name: " in reason
    assert "env.0.value" not in reason  # only the first three


def test_budget_reason(tmp_path: Path) -> None:
    with running_server(consistent_model) as fake:
        done = _generate(fake.base_url, tmp_path / "p", tmp_path / "cache", "--token-budget", "600")
    assert done.returncode == 0, done.stderr
    reasons = reasons_everywhere(tmp_path / "p", done.stderr)
    tail = "exceeds the budget of 600 tokens even compressed (raise --token-budget)"
    core = "2 of 2 entity groups fell back, first group 1: prompt of ~"
    assert reasons["core_backend"].startswith(core)
    assert reasons["core_backend"].endswith(tail)


def test_unreachable_reason_names_the_endpoint(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    done = _generate(url, tmp_path / "p", tmp_path / "cache", "--timeout", "1")
    assert done.returncode == 0, done.stderr
    reasons = reasons_everywhere(tmp_path / "p", done.stderr)
    reason = f"endpoint unreachable: {url} (connection refused)"
    assert set(reasons.values()) == {reason}
    assert len(reasons) == 6
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {reason}: every agent falls back to its blueprint"]
    assert len(list(git.Repo(tmp_path / "p").iter_commits())) == 7


def test_missing_key_reason(tmp_path: Path) -> None:
    with running_server(consistent_model, api_key="sk-right") as fake:
        env = project_env(XDG_CACHE_HOME=str(tmp_path / "cache"))
        for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            env.pop(key, None)
        done = run_backendgen(*openai_new_args(fake.base_url, tmp_path / "p"), env=env)
        statuses = {r.status for r in fake.requests}
    assert done.returncode == 0, done.stderr
    assert statuses == {401}
    reasons = reasons_everywhere(tmp_path / "p", done.stderr)
    assert set(reasons.values()) == {
        "endpoint rejected the API key (HTTP 401): Incorrect API key provided. You can find "
        "your API key at https://platform.openai.com/account/api-keys. (set OPENAI_API_KEY)"
    }


__all__ = ["HttpError"]
