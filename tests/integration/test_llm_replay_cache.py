"""The request-level replay cache: a rerun with identical inputs sends nothing.

Counted by the loopback server itself, after successes, after fallbacks (a hostile model
whose schema-valid answers fail the cross-agent checks, re-asks included) and after the core
agent's fan-out; ``--refresh-agent`` asks again (``--no-cache``:
tests/integration/test_llm_wire.py; the store itself: tests/unit/test_llm_cache_unit.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import SchemaResponder, request_name, running_server
from tests.integration.test_llm_wire import REQUESTS, _generate, consistent_model

HOSTILE = SchemaResponder()
"""Schema-valid, but inconsistent across agents: every agent re-asks, then falls back."""


def _report(project: Path) -> dict[str, Any]:
    return json.loads((project / ".backendgen" / "report.json").read_text())


@pytest.mark.slow
def test_rerun_after_fallbacks_and_fan_out_sends_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with running_server(HOSTILE) as fake:
        first = _generate(fake.base_url, tmp_path / "a", cache, "--max-parallel", "6")
        sent = len(fake.requests)
        again = _generate(fake.base_url, tmp_path / "b", cache, "--max-parallel", "6")
        after_rerun = len(fake.requests)
    assert first.returncode == again.returncode == 0, again.stderr
    one, two = _report(tmp_path / "a"), _report(tmp_path / "b")
    core_groups = [r for r in fake.bodies if request_name(r) == "CoreBackendSpec"]
    assert len(core_groups) > 3  # the fan-out's groups and their re-asks
    assert {a["source"] for a in one["agents"]} == {"blueprint"}
    assert one["totals"]["requests"] == sent > len(one["agents"])  # re-asks were sent
    assert after_rerun == sent  # the rerun sent nothing
    assert two["totals"]["requests"] == 0
    assert two["totals"]["replayed"] == sent
    for before, after in zip(one["agents"], two["agents"], strict=True):
        assert after["fallback_reason"] == before["fallback_reason"]
        assert after["source"] == "blueprint"
    assert two["totals"]["cost_usd"] == 0
    assert (tmp_path / "b" / ".copier-answers.yml").read_text() == (
        tmp_path / "a" / ".copier-answers.yml"
    ).read_text()


@pytest.mark.slow
def test_refresh_agent_asks_again_for_that_agent_only(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with running_server(consistent_model) as fake:
        first = _generate(fake.base_url, tmp_path / "a", cache)
        refreshed = _generate(
            fake.base_url, tmp_path / "b", cache, "--refresh-agent", "devops_infrastructure"
        )
        names = [request_name(body) for body in fake.bodies[REQUESTS:]]
    assert first.returncode == refreshed.returncode == 0, refreshed.stderr
    assert names == ["DevopsInfrastructureSpec"]
    sources = {a["name"]: a["source"] for a in _report(tmp_path / "b")["agents"]}
    assert sources.pop("devops_infrastructure") == "llm"
    assert set(sources.values()) == {"cache"}


def test_unknown_refresh_agent_is_a_clear_error(tmp_path: Path) -> None:
    done = _generate(
        "http://127.0.0.1:9/v1", tmp_path / "p", tmp_path / "c", "--refresh-agent", "x"
    )
    assert done.returncode == 2
    assert "argument --refresh-agent: invalid choice: 'x'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "p").exists()
