"""The house rules: imports run one way (import-linter), and ``import backendgen`` is cheap."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.helpers import run

REPO = Path(__file__).resolve().parents[2]

HEAVY = ("copier", "git", "rich", "lark", "instructor", "openai", "questionary")
"""Libraries only generation, the terminal UI, JDL parsing or an LLM call may load."""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_import_contract_is_kept() -> None:
    """`.importlinter`: domain <- inputs <- agents <- llm <- engine <- commands <- cli/api."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = run([str(lint_imports), "--no-cache"], cwd=REPO, env=_env())
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "broken" in done.stdout
    assert " 0 broken" in done.stdout


@pytest.mark.parametrize(
    "module",
    ["backendgen", "backendgen.domain.declared", "backendgen.agents.registry"],
)
def test_importing_loads_no_heavy_library(module: str) -> None:
    """The package, the domain kernel and the agent registry load none of ``HEAVY``."""
    code = (
        f"import json, sys, {module}\n"
        f"print(json.dumps([name for name in {list(HEAVY)!r} if name in sys.modules]))"
    )
    done = run([sys.executable, "-c", code], cwd=REPO, env=_env())
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []


def test_the_library_api_still_loads_on_first_use() -> None:
    """``backendgen.BackendOrchestratorAgent`` is still there, loaded lazily."""
    code = (
        "import sys, backendgen\n"
        "assert 'copier' not in sys.modules\n"
        "agent = backendgen.BackendOrchestratorAgent\n"
        "print(agent.__module__, backendgen.CostOptimizationConfig.__name__)"
    )
    done = run([sys.executable, "-c", code], cwd=REPO, env=_env())
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["backendgen.api", "CostOptimizationConfig"]
