"""The run-level spend cap (``--max-cost``, ``CostOptimizationConfig.max_cost_usd``).

Spend is what the loopback server measured and billed at the price table (gpt-4o-mini:
$0.15 and $0.60 per million input and output tokens). The cap must stop spending within one
request's cost of itself, and the agents it stops fall back with that reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backendgen import BackendOrchestratorAgent, CostOptimizationConfig
from tests.fakes import RecordedRequest, running_server
from tests.integration.test_llm_wire import _generate, consistent_model

pytestmark = pytest.mark.slow


def _cost(request: RecordedRequest) -> float:
    usage = request.usage
    assert usage is not None
    return (usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.60) / 1e6


def _report(project: Path) -> dict[str, Any]:
    return json.loads((project / ".backendgen" / "report.json").read_text())


@pytest.mark.parametrize("parallel", ["1", "3"])
def test_the_cap_stops_spending_within_one_request(tmp_path: Path, parallel: str) -> None:
    with running_server(consistent_model) as fake:
        free = _generate(fake.base_url, tmp_path / "free", tmp_path / "c1")
        uncapped = [_cost(r) for r in fake.requests]
        cap = sum(uncapped) / 2
        capped = _generate(
            fake.base_url,
            tmp_path / "capped",
            tmp_path / "c2",
            "--max-cost",
            f"{cap}",
            "--max-parallel",
            parallel,
        )
        spent = sum(_cost(r) for r in fake.requests[len(uncapped) :])
    assert free.returncode == capped.returncode == 0, capped.stderr
    report = _report(tmp_path / "capped")
    assert report["max_cost_usd"] == pytest.approx(cap)
    assert report["totals"]["cost_usd"] == pytest.approx(spent, abs=1e-6)
    assert spent <= cap + max(uncapped)
    if parallel == "1":
        assert spent >= cap  # sequential: it spent up to the cap before stopping
    stopped = [a for a in report["agents"] if (a["fallback_reason"] or "").startswith("run spend")]
    assert stopped, report["agents"]
    for agent in stopped:
        assert agent["source"] == "blueprint"
        assert "--max-cost" in agent["fallback_reason"]
    assert f"spend: ${spent:.4f} of the ${cap:.4f} cap" in capped.stdout


def test_a_zero_cap_sends_nothing_through_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with running_server(consistent_model) as fake:
        orchestrator = BackendOrchestratorAgent(
            llm="openai",
            base_url=fake.base_url,
            output_dir=tmp_path,
            cost_optimization=CostOptimizationConfig(max_cost_usd=0.0),
        )
        result = orchestrator.generate_backend(
            {"language": "Python", "framework": "FastAPI"},
            {"scale": "medium"},
            {"domain": "E-commerce", "project_name": "store"},
        )
        sent = len(fake.requests)
    assert sent == 0
    assert result["cost_optimization"]["max_cost_usd"] == 0.0
    assert result["cost_optimization"]["total_cost_usd"] == 0
    reasons = {a["fallback_reason"] for a in result["report"]["agents"]}
    assert reasons == {"run spend cap of $0.0000 reached ($0.0000 spent; --max-cost)"}


def test_a_negative_cap_is_a_clear_error(tmp_path: Path) -> None:
    done = _generate("http://127.0.0.1:9/v1", tmp_path / "p", tmp_path / "c", "--max-cost", "-1")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "backendgen: error: --max-cost must be 0 or more (USD)"
    )
    assert not (tmp_path / "p").exists()
