"""The brief's library API runs on the CLI's engine and returns measured figures."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import git
import pytest
import yaml

from backendgen import BackendOrchestratorAgent, CostOptimizationConfig
from backendgen.api import answers_from_brief
from backendgen.errors import UserInputError
from backendgen.questions.domain import load_catalogue_domain
from tests.fakes import request_name, running_server
from tests.integration.test_llm_wire import CORE, consistent_model


def test_generate_backend_offline(tmp_path: Path) -> None:
    orchestrator = BackendOrchestratorAgent(
        llm="blueprint",
        cost_optimization=CostOptimizationConfig(
            max_parallel_agents=2, token_budget_per_agent=3000
        ),
        output_dir=tmp_path,
    )
    result = orchestrator.generate_backend(
        tech_stack={"language": "Python", "framework": "FastAPI", "database": "PostgreSQL"},
        system_design={"scale": "enterprise", "deployment": "kubernetes"},
        requirements_analysis={
            "domain": "E-commerce",
            "compliance": ["GDPR", "PCI-DSS"],
            "project_name": "store",
        },
    )
    project = Path(result["project"])
    assert project == tmp_path / "store"
    files = [
        p for p in project.rglob("*") if p.is_file() and ".git" not in p.relative_to(project).parts
    ]
    assert result["summary"]["total_files"] == len(files)
    assert result["summary"]["generation_method"] == "blueprint"
    savings = result["cost_optimization"]["estimated_cost_savings"]
    assert savings == {"tokens_used": 0, "tokens_avoided": 0, "percentage": 0.0}
    assert result["cost_optimization"]["config"]["max_parallel_agents"] == 2
    assert len(list(git.Repo(project).iter_commits())) == 7
    answers = (project / ".copier-answers.yml").read_text()
    assert "- pci_dss" in answers
    assert "scale: enterprise" in answers


def test_brief_values_are_normalised() -> None:
    answers = answers_from_brief(
        {"language": "python", "framework": "FastAPI", "database": "Postgres"},
        {"deployment": "Docker Compose"},
        {"domain": "Healthcare", "compliance": ["HIPAA"]},
    )
    assert answers == {
        "framework": "fastapi",
        "database": "postgresql",
        "deployment": "docker_compose",
        "domain": "healthcare",
        "compliance": ["hipaa"],
    }


def test_unsupported_stack_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="no renderer"):
        answers_from_brief({"language": "Go", "framework": "Gin"}, {}, {})


def test_batch_size_sets_the_core_fan_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    entities = len(load_catalogue_domain("ecommerce").entities)
    # Each answer takes 0.4 s, so two core groups asked together are in flight together.
    with running_server(consistent_model, latency=(0.4, 2000)) as fake:
        orchestrator = BackendOrchestratorAgent(
            llm="openai",
            base_url=fake.base_url,
            model="gpt-4o-mini",
            cost_optimization=CostOptimizationConfig(batch_size=2, max_parallel_agents=2),
            output_dir=tmp_path,
        )
        result = orchestrator.generate_backend(
            tech_stack={"language": "Python", "framework": "FastAPI"},
            system_design={"scale": "medium"},
            requirements_analysis={"domain": "E-commerce", "project_name": "store"},
        )
        core_requests = [r for r in fake.requests if request_name(r.body) == CORE]
        max_concurrency = fake.max_concurrency
    assert len(core_requests) == -(-entities // 2)
    assert max_concurrency == 2
    assert result["summary"]["generation_method"] == "llm"


BRIEF = (
    {"language": "Python", "framework": "FastAPI"},
    {"scale": "medium"},
    {"domain": "E-commerce", "project_name": "store"},
)


def test_openai_without_a_key_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    orchestrator = BackendOrchestratorAgent(llm="openai", output_dir=tmp_path)
    with pytest.raises(UserInputError, match="OPENAI_API_KEY"):
        orchestrator.generate_backend(*BRIEF)
    assert list(tmp_path.iterdir()) == []


def test_the_project_lands_in_a_named_folder_with_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = BackendOrchestratorAgent(llm="blueprint").generate_backend(*BRIEF)
    assert Path(result["project"]) == tmp_path / "store"
    report = json.loads(Path(result["report_path"]).read_text())
    assert report["project"] == "store"
    assert [a["name"] for a in report["agents"]] == [a["name"] for a in result["report"]["agents"]]
    answers = yaml.safe_load((tmp_path / "store" / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "store"


def test_fallbacks_reach_the_backendgen_logger(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    orchestrator = BackendOrchestratorAgent(
        llm="openai", base_url=f"http://127.0.0.1:{port}/v1", output_dir=tmp_path
    )
    with caplog.at_level(logging.WARNING, logger="backendgen"):
        result = orchestrator.generate_backend(*BRIEF)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    reason = f"endpoint unreachable: http://127.0.0.1:{port}/v1 (connection refused)"
    assert warnings == [f"{reason}: every agent falls back to its blueprint"]
    assert {a["fallback_reason"] for a in result["report"]["agents"]} == {reason}
