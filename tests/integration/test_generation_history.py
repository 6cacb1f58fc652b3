"""Every generated project: scaffold commit, then six agent commits with trailers, and a report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import git
import pytest
import yaml

from backendgen.agents.registry import AGENTS
from tests.conftest import PROJECTS

AGENT_ORDER = [a.name for a in AGENTS]
TRAILER_KEYS = (
    "Backendgen-Agent",
    "Backendgen-Source",
    "Backendgen-Model",
    "Backendgen-Tokens",
    "Backendgen-Cost-USD",
    "Backendgen-Spec-Sha256",
)


def _trailers(commit: git.Commit) -> dict[str, str]:
    return dict(commit.trailers_dict and {k: v[-1] for k, v in commit.trailers_dict.items()})


def test_agent_order_is_a_topological_order_with_core_first() -> None:
    assert AGENT_ORDER[0] == "core_backend"
    seen: set[str] = set()
    for agent in AGENTS:
        assert set(agent.depends_on) <= seen, agent.name
        seen.add(agent.name)
    assert seen == {
        "core_backend",
        "security_compliance",
        "devops_infrastructure",
        "documentation",
        "monitoring_observability",
        "testing_qa",
    }


@pytest.mark.parametrize("name", PROJECTS)
def test_history_is_scaffold_then_one_commit_per_agent(
    generated_projects: dict[str, Path], name: str
) -> None:
    project = generated_projects[name]
    repo = git.Repo(project)
    assert not repo.is_dirty(untracked_files=True), repo.git.status()
    commits = list(reversed(list(repo.iter_commits("HEAD"))))
    assert len(commits) == 1 + len(AGENT_ORDER)
    assert str(commits[0].message).startswith("chore: scaffold ")
    assert _trailers(commits[0]) == {}
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for commit, agent in zip(commits[1:], AGENT_ORDER, strict=True):
        trailers = _trailers(commit)
        assert set(TRAILER_KEYS) <= set(trailers), commit.message
        assert trailers["Backendgen-Agent"] == agent
        assert trailers["Backendgen-Source"] == "blueprint"
        assert trailers["Backendgen-Tokens"] == "0+0"
        canonical = json.dumps(answers[f"slot_{agent}"], sort_keys=True, separators=(",", ":"))
        assert trailers["Backendgen-Spec-Sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
        changed = {d.a_path or d.b_path for d in commit.parents[0].diff(commit)}
        assert ".copier-answers.yml" in changed, f"{agent} did not change its slot"
        assert commit.author.name == "Suite User"
    report = json.loads((project / ".backendgen" / "report.json").read_text())
    assert [a["name"] for a in report["agents"]] == AGENT_ORDER
    assert [a["commit"] for a in report["agents"]] == [c.hexsha for c in commits[1:]]
    for entry in report["agents"]:
        assert entry["source"] == "blueprint"
        assert entry["fallback_reason"] is None
        for key in ("prompt_tokens", "completion_tokens", "cost_usd", "seconds"):
            assert key in entry
    totals = report["totals"]
    assert totals["requests"] == 0
    assert totals["prompt_tokens"] == sum(a["prompt_tokens"] for a in report["agents"])
    assert totals["seconds"] > 0


@pytest.mark.parametrize("name", PROJECTS)
def test_every_slot_is_filled_and_nothing_unrendered(
    generated_projects: dict[str, Path], name: str
) -> None:
    project = generated_projects[name]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for agent in AGENT_ORDER:
        assert answers[f"slot_{agent}"], agent
    leftovers = [
        str(p.relative_to(project))
        for p in project.rglob("*")
        if p.is_file()
        and ".git" not in p.parts
        and ("{{" in p.name or p.suffix == ".jinja" or "{%" in p.read_text(errors="ignore"))
    ]
    assert leftovers == []


def test_fallback_identity_when_git_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backendgen.generator.git_repo import FALLBACK_IDENTITY, commit_all, init_repository

    empty_config = tmp_path / "gitconfig"
    empty_config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty_config))
    monkeypatch.setenv("HOME", str(tmp_path))
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    repo = init_repository(tmp_path / "p")
    (tmp_path / "p" / "f").write_text("x")
    commit_all(repo, "chore: test")
    assert (repo.head.commit.author.name, repo.head.commit.author.email) == FALLBACK_IDENTITY
