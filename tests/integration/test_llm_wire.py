"""LLM agents over the wire: the real `openai` client against a loopback chat-completions server.

The fake "model" answers each agent with a consistent spec (the blueprint's, with one visible
change), so every agent can succeed; faults are injected per agent by its schema name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git
import pytest
import yaml

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import AGENTS, agent_named
from backendgen.agents.spec_base import SlotSpec
from backendgen.llm.runtime import LlmRuntime
from backendgen.questions.domain import load_catalogue_domain
from tests.fakes import (
    FakeOpenAI,
    FaultResponder,
    Payload,
    ScriptedResponder,
    request_name,
    running_server,
)
from tests.helpers import SHOP_ANSWERS, project_env, run_backendgen, run_project_tests

pytestmark = pytest.mark.slow

ANSWERS = SHOP_ANSWERS
ANSWER_FLAGS = [
    arg
    for key, value in ANSWERS.model_dump().items()
    if key != "requirements"
    for arg in ("-d", f"{key}={json.dumps(value) if isinstance(value, list) else value}")
]
LLM_PORT = 9123
"""The devops answer the fake model gives (the blueprint says 8000): proof the LLM's spec lands."""


def _model_answers() -> dict[str, dict[str, Any]]:
    """What the fake model answers, by response-model class name."""
    domain = load_catalogue_domain("ecommerce")
    specs: dict[str, SlotSpec] = {}
    for agent in AGENTS:
        upstream = {name: specs[name] for name in agent.depends_on}
        specs[agent.name] = agent.blueprint(BlueprintInput(ANSWERS, domain, upstream))
    answers = {
        agent_named(n).spec_type.__name__: s.model_dump(mode="json") for n, s in specs.items()
    }
    answers["DevopsInfrastructureSpec"]["port"] = LLM_PORT
    return answers


MODEL_ANSWERS = _model_answers()
NAME_TO_AGENT = {agent.spec_type.__name__: agent.name for agent in AGENTS}


CORE = "CoreBackendSpec"
DOMAIN_ENTITIES = len(load_catalogue_domain("ecommerce").entities)
CORE_GROUPS = -(-DOMAIN_ENTITIES // LlmRuntime.entities_per_request)
"""The core agent asks for the domain in groups of entities (ceiling division)."""
REQUESTS = len(AGENTS) - 1 + CORE_GROUPS
"""Requests of one run where every agent succeeds at once."""


def requested_entities(body: Mapping[str, Any]) -> list[str]:
    """The entity names a core request lists in its domain context."""
    user = next(m for m in body["messages"] if m["role"] == "user")
    return [e["name"] for e in json.loads(user["content"])["domain"]["entities"]]


def consistent_model(body: Mapping[str, Any]) -> Payload:
    name = str(request_name(body))
    answer = MODEL_ANSWERS[name]
    if name == CORE:  # answer the group of entities asked for
        wanted = requested_entities(body)
        answer = {**answer, "entities": [e for e in answer["entities"] if e["name"] in wanted]}
    return Payload(answer)


def openai_new_args(base_url: str, destination: Path, *extra: str) -> list[str]:
    """``backendgen new`` arguments generating these answers through the endpoint ``base_url``."""
    return [
        "new",
        str(destination),
        "--defaults",
        *ANSWER_FLAGS,
        "--provider",
        "openai",
        "--base-url",
        base_url,
        "--model",
        "gpt-4o-mini",
        *extra,
    ]


def _generate(fake_url: str, destination: Path, cache: Path, *extra: str) -> Any:
    env = project_env(XDG_CACHE_HOME=str(cache), OPENAI_API_KEY="test-key")
    env.pop("OPENAI_BASE_URL", None)
    return run_backendgen(*openai_new_args(fake_url, destination, *extra), env=env)


def _report(project: Path) -> dict[str, Any]:
    return json.loads((project / ".backendgen" / "report.json").read_text())


def _agent_of(request_body: Mapping[str, Any]) -> str:
    return NAME_TO_AGENT[str(request_name(request_body))]


@pytest.mark.parametrize("max_parallel", [1, 2, 3])
def test_dag_order_concurrency_and_usage(tmp_path: Path, max_parallel: int) -> None:
    with running_server(consistent_model, latency=(0.4, 2000)) as fake:
        done = _generate(
            fake.base_url, tmp_path / "p", tmp_path / "cache", "--max-parallel", str(max_parallel)
        )
        requests = fake.requests
        totals = fake.usage_totals()
        concurrency = fake.max_concurrency
    assert done.returncode == 0, done.stderr
    project = tmp_path / "p"
    assert concurrency == max_parallel
    assert all(r.finished is not None for r in requests)
    finished: dict[str, float] = {}
    arrived: dict[str, float] = {}
    for r in requests:
        agent_name = _agent_of(r.body)
        finished[agent_name] = max(finished.get(agent_name, 0.0), float(r.finished or 0.0))
        arrived[agent_name] = min(arrived.get(agent_name, float("inf")), r.arrived)
    assert sorted(finished) == sorted(a.name for a in AGENTS)
    for agent in AGENTS:
        for dependency in agent.depends_on:
            speculates = max_parallel > 1 and dependency in agent.speculates_on
            if dependency not in agent.starts_on_declared and not speculates:
                assert finished[dependency] <= arrived[agent.name], (dependency, agent.name)
    if max_parallel >= 3:  # monitoring and devops start on the declared entities, with core
        assert arrived["monitoring_observability"] < finished["core_backend"]
    report = _report(project)
    assert report["totals"]["requests"] == len(requests) == REQUESTS
    core_requests = [r for r in requests if request_name(r.body) == CORE]
    assert len(core_requests) == CORE_GROUPS > 1
    grouped = sorted(n for r in core_requests for n in requested_entities(r.body))
    assert grouped == sorted(e.name for e in load_catalogue_domain("ecommerce").entities)
    assert report["totals"]["prompt_tokens"] == totals.prompt_tokens
    assert report["totals"]["completion_tokens"] == totals.completion_tokens
    assert {a["source"] for a in report["agents"]} == {"llm"}
    commits = list(reversed(list(git.Repo(project).iter_commits())))[1:]
    assert [c.trailers_dict["Backendgen-Agent"][0] for c in commits] == [a.name for a in AGENTS]
    for commit, entry in zip(commits, report["agents"], strict=True):
        trailers = {k: v[0] for k, v in commit.trailers_dict.items()}
        assert trailers["Backendgen-Source"] == "llm"
        assert trailers["Backendgen-Model"] == "gpt-4o-mini"
        assert (
            trailers["Backendgen-Tokens"]
            == f"{entry['prompt_tokens']}+{entry['completion_tokens']}"
        )
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["slot_devops_infrastructure"]["port"] == LLM_PORT
    cost = sum(a["cost_usd"] for a in report["agents"])
    expected = (totals.prompt_tokens * 0.15 + totals.completion_tokens * 0.60) / 1e6
    assert cost == pytest.approx(expected, rel=1e-3)


def test_identical_rerun_makes_zero_requests(tmp_path: Path) -> None:
    with running_server(consistent_model) as fake:
        first = _generate(fake.base_url, tmp_path / "first", tmp_path / "cache")
        after_first = len(fake.requests)
        second = _generate(fake.base_url, tmp_path / "second", tmp_path / "cache")
        after_second = len(fake.requests)
        uncached = _generate(fake.base_url, tmp_path / "third", tmp_path / "cache", "--no-cache")
        after_uncached = len(fake.requests)
    assert first.returncode == second.returncode == uncached.returncode == 0, second.stderr
    assert after_first == REQUESTS
    assert after_second == after_first
    assert after_uncached == after_first + REQUESTS
    report = _report(tmp_path / "second")
    assert {a["source"] for a in report["agents"]} == {"cache"}
    assert report["totals"]["requests"] == 0
    first_tokens = _report(tmp_path / "first")["totals"]
    assert (
        report["savings"]["tokens_avoided"]
        == first_tokens["prompt_tokens"] + first_tokens["completion_tokens"]
    )
    assert report["savings"]["percentage"] == 100.0
    first_answers = (tmp_path / "first" / ".copier-answers.yml").read_text()
    assert (tmp_path / "second" / ".copier-answers.yml").read_text() == first_answers


DEVOPS = "DevopsInfrastructureSpec"


@pytest.mark.parametrize(
    ("fault", "requests_for_devops", "source", "reason"),
    [
        (
            FaultResponder.rate_limited(times=1, retry_after=1, then=consistent_model),
            2,
            "llm",
            None,
        ),
        (FaultResponder.server_error(times=1, then=consistent_model), 2, "llm", None),
        (FaultResponder.garbage(times=1, then=consistent_model), 2, "llm", None),
        (FaultResponder.hang(times=10, seconds=20), 2, "blueprint", "endpoint timed out"),
        (FaultResponder.server_error(times=10, status=503), 2, "blueprint", "HTTP 503"),
        (
            ScriptedResponder([{"port": 1}], match=DEVOPS, then=None),
            3,
            "blueprint",
            "invalid spec after 3 attempts: 1 error: port: ",
        ),
    ],
    ids=[
        "429-then-ok",
        "500-then-ok",
        "garbage-then-ok",
        "timeout",
        "503-always",
        "invalid-always",
    ],
)
def test_faults_are_retried_then_fall_back(
    tmp_path: Path, fault: Any, requests_for_devops: int, source: str, reason: str | None
) -> None:
    def model(body: Mapping[str, Any]) -> Any:
        if request_name(body) == DEVOPS:
            return (
                fault(body)
                if not isinstance(fault, ScriptedResponder) or fault.remaining
                else Payload({"port": 1})
            )
        return consistent_model(body)

    with running_server(model) as fake:
        done = _generate(
            fake.base_url,
            tmp_path / "p",
            tmp_path / "cache",
            "--timeout",
            "1",
            "--max-parallel",
            "3",
        )
        devops_requests = [r for r in fake.requests if request_name(r.body) == DEVOPS]
    assert done.returncode == 0, done.stderr
    report = {a["name"]: a for a in _report(tmp_path / "p")["agents"]}
    devops = report["devops_infrastructure"]
    assert devops["source"] == source
    assert len(devops_requests) >= requests_for_devops
    if reason is None:
        assert devops["fallback_reason"] is None
        assert devops["requests"] >= 1
    else:
        assert reason in devops["fallback_reason"]
        assert (
            f"devops_infrastructure fell back to its blueprint: {devops['fallback_reason']}"
            in done.stderr
        )
        assert "Traceback" not in done.stderr
    others = [a for name, a in report.items() if name != "devops_infrastructure"]
    assert {a["source"] for a in others} == {"llm"}


def test_over_budget_agents_fall_back_without_a_request(tmp_path: Path) -> None:
    with running_server(consistent_model) as fake:
        done = _generate(fake.base_url, tmp_path / "p", tmp_path / "cache", "--token-budget", "600")
        asked = {_agent_of(r.body) for r in fake.requests}
    assert done.returncode == 0, done.stderr
    report = {a["name"]: a for a in _report(tmp_path / "p")["agents"]}
    over = {
        name for name, a in report.items() if "exceeds the budget" in (a["fallback_reason"] or "")
    }
    assert "core_backend" in over
    assert not over & asked
    for name in asked:
        sent = [r for r in fake.requests if _agent_of(r.body) == name]
        assert all(r.body["max_tokens"] <= 600 for r in sent)


def test_default_provider_follows_the_environment(tmp_path: Path) -> None:
    env = project_env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(key, None)
    offline = run_backendgen("new", str(tmp_path / "offline"), "--defaults", env=env)
    assert offline.returncode == 0, offline.stderr
    assert "provider: blueprint" in offline.stderr
    with running_server(consistent_model) as fake:
        online = run_backendgen(
            "new",
            str(tmp_path / "online"),
            "--defaults",
            *ANSWER_FLAGS,
            env=env | {"OPENAI_BASE_URL": fake.base_url},
        )
        assert len(fake.requests) == REQUESTS
    assert online.returncode == 0, online.stderr
    assert "provider: openai" in online.stderr
    assert os.environ.get("OPENAI_BASE_URL") is None


def test_llm_generated_backend_passes_its_tests(tmp_path: Path) -> None:
    import shutil

    with running_server(consistent_model) as fake:
        done = _generate(fake.base_url, tmp_path / "p", tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    shutil.rmtree(tmp_path / "p" / ".git")
    tests = run_project_tests(tmp_path / "p")
    assert tests.returncode == 0, tests.stdout[-4000:]


__all__ = ["FakeOpenAI"]
