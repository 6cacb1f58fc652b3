"""`backendgen revert`: any agent's slot goes back to its previous spec, as a new commit.

A project generated through a loopback OpenAI-compatible server has one LLM commit per agent,
each visibly different from the agent's blueprint; reverting each agent (in any position of
the history, not only the last) returns its slot to the blueprint, and the project still
passes its own tests.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import git
import pytest
import yaml

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import AGENTS, agent_named
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.history import answers_at
from backendgen.questions.answers import parse_answers
from backendgen.questions.domain import load_catalogue_domain
from tests.fakes import Payload, request_name, running_server
from tests.helpers import SHOP_ANSWERS, project_env, run_backendgen, run_project_tests

pytestmark = pytest.mark.slow


def _blueprints() -> dict[str, dict[str, Any]]:
    """Every agent's blueprint spec for the shop answers, as JSON data."""
    domain = load_catalogue_domain(SHOP_ANSWERS.domain)
    specs: dict[str, SlotSpec] = {}
    for agent in AGENTS:
        upstream = {name: specs[name] for name in agent.depends_on}
        specs[agent.name] = agent.blueprint(BlueprintInput(SHOP_ANSWERS, domain, upstream))
    return {name: spec.model_dump(mode="json") for name, spec in specs.items()}


BLUEPRINTS = _blueprints()


def _model_answer(name: str) -> dict[str, Any]:
    """What the fake model answers: the blueprint with one change no other agent reads."""
    spec = json.loads(json.dumps(BLUEPRINTS[name]))
    if name == "core_backend":
        added = "Reviewed every year."  # a prose rule, as the slot records one
        prose = {"description": added, "kind": "prose", "text": added}
        spec["entities"][0]["rules"] = [*spec["entities"][0]["rules"], prose]
    elif name == "security_compliance":
        spec["auth"]["access_token_minutes"] += 7
    elif name == "devops_infrastructure":
        spec["port"] = 9123
    elif name == "monitoring_observability":
        spec["tracing"]["sample_ratio"] = 0.37
    elif name == "documentation":
        spec["audience"] = "Platform engineers, as the model wrote it"
    else:
        spec["load"]["users"] += 1
    return spec


MODEL_ANSWERS = {agent_named(a.name).spec_type.__name__: _model_answer(a.name) for a in AGENTS}


def _model(body: Mapping[str, Any]) -> Payload:
    name = str(request_name(body))
    answer = MODEL_ANSWERS[name]
    if name == "CoreBackendSpec":  # the core agent asks for its entities in groups
        user = next(m for m in body["messages"] if m["role"] == "user")
        wanted = {e["name"] for e in json.loads(user["content"])["domain"]["entities"]}
        answer = {**answer, "entities": [e for e in answer["entities"] if e["name"] in wanted]}
    return Payload(answer)


ANSWER_FLAGS = [
    arg
    for key, value in SHOP_ANSWERS.model_dump().items()
    if key != "requirements"
    for arg in ("-d", f"{key}={json.dumps(value) if isinstance(value, list) else value}")
]


def _answers(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return loaded


def _check_answers(recorded: dict[str, Any]) -> None:
    """The answers of a commit validate: the questions, and each slot against its upstream."""
    parse_answers(recorded)
    specs: dict[str, SlotSpec] = {}
    for agent in AGENTS:
        specs[agent.name] = agent.spec_type.model_validate(
            recorded[agent.slot], context=dict(specs)
        )


def test_revert_each_agent_to_its_blueprint(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    offline = project_env(XDG_CACHE_HOME=str(tmp_path / "cache"))  # its template mirror
    env = {**offline, "OPENAI_API_KEY": "test-key"}
    with running_server(_model) as fake:
        made = run_backendgen(
            "new",
            str(project),
            "--defaults",
            *ANSWER_FLAGS,
            "--provider",
            "openai",
            "--base-url",
            fake.base_url,
            env=env,
        )
    assert made.returncode == 0, made.stderr
    repo = git.Repo(project)
    generated = repo.head.commit.hexsha
    llm_commits = {
        c.trailers_dict["Backendgen-Agent"][0]: c.hexsha
        for c in repo.iter_commits("HEAD")
        if c.trailers_dict.get("Backendgen-Source") == ["llm"]
    }
    assert sorted(llm_commits) == sorted(a.name for a in AGENTS)
    for agent in AGENTS:
        assert _answers(project)[agent.slot] == _model_answer(agent.name) != BLUEPRINTS[agent.name]
    for agent in reversed(AGENTS):  # every position: the last commit first, core (first) last
        before = _answers(project)[agent.slot]
        head = repo.head.commit.hexsha
        done = run_backendgen("revert", str(project), "--agent", agent.name, env=offline)
        assert done.returncode == 0, done.stderr
        after = _answers(project)[agent.slot]
        assert after != before, agent.name
        assert after == BLUEPRINTS[agent.name], agent.name
        reverting = next(repo.iter_commits(f"{head}..HEAD", reverse=True))
        assert str(reverting.summary).startswith(f"revert({agent.scope}): {agent.name} slot")
        trailers = {k: v[-1] for k, v in reverting.trailers_dict.items()}
        assert trailers["Backendgen-Agent"] == agent.name
        assert trailers["Backendgen-Reverts"] == llm_commits[agent.name]
        assert trailers["Backendgen-Source"] == "blueprint"
        assert not repo.is_dirty(untracked_files=True)
    for commit in repo.iter_commits(f"{generated}..HEAD"):
        _check_answers(answers_at(repo, commit.hexsha))
    tested = run_project_tests(project)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-2000:]


def test_revert_undoes_a_regenerate_and_refuses_bad_input(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = tmp_path / "service"
    shutil.copytree(generated_projects["defaults"], project)
    repo = git.Repo(project)
    original = _answers(project)["slot_documentation"]
    start = repo.head.commit.hexsha
    nothing = run_backendgen("revert", str(project), "--agent", "documentation")
    assert nothing.returncode == 0, nothing.stderr
    assert "nothing to revert" in nothing.stdout  # its only commit is its blueprint
    assert repo.head.commit.hexsha == start
    again = run_backendgen(
        "regenerate", str(project), "--agent", "documentation", "--requirements", "Ship in 24h"
    )
    assert again.returncode == 0, again.stderr
    regenerated = repo.head.commit.hexsha
    assert _answers(project)["slot_documentation"] != original
    # An edit on the line the revert rewrites: exit 3, nothing committed, markers left.
    readme = project / "README.md"
    text = readme.read_text()
    readme.write_text(text.replace("Requirements: Ship in 24h.", "Requirements: Ship in 24h!"))
    repo.git.commit("-qam", "docs: louder")
    edited = repo.head.commit.hexsha
    conflict = run_backendgen("revert", str(project), "--agent", "documentation")
    assert repo.head.commit.hexsha == edited
    assert conflict.returncode == 3, conflict.stdout + conflict.stderr
    assert "conflict: README.md" in conflict.stderr
    assert "<<<<<<< before updating" in readme.read_text()
    pending = (project / ".git" / "BACKENDGEN_MSG").read_text()
    assert pending.startswith("revert(docs): documentation slot as before")
    assert f"Backendgen-Reverts: {regenerated}" in pending
    repo.git.reset("--hard", regenerated)  # drop the edit, start again from the regenerate
    done = run_backendgen("revert", str(project), "--agent", "documentation")
    assert done.returncode == 0, done.stderr
    assert _answers(project)["slot_documentation"] == original
    assert repo.head.commit.parents[0].hexsha == regenerated
    assert repo.head.commit.trailers_dict["Backendgen-Reverts"] == [regenerated]
    unknown = run_backendgen("revert", str(project), "--agent", "poet")
    assert unknown.returncode == 2
    assert "unknown agent 'poet'" in unknown.stderr
    not_a_project = run_backendgen("revert", str(tmp_path), "--agent", "documentation")
    assert not_a_project.returncode == 2
    assert len(not_a_project.stderr.strip().splitlines()) == 1
    (project / "scratch.txt").write_text("work in progress")
    head = repo.head.commit.hexsha
    dirty = run_backendgen("revert", str(project), "--agent", "documentation")
    assert dirty.returncode == 2
    assert "uncommitted changes" in dirty.stderr
    assert repo.head.commit.hexsha == head
