"""`backendgen regenerate` re-runs one agent and adds exactly one commit."""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import yaml

from tests.helpers import run_backendgen


def test_regenerate_documentation_with_new_requirements(
    generated_projects: dict[str, Path], tmp_path: Path
) -> None:
    project = tmp_path / "service"
    shutil.copytree(generated_projects["defaults"], project)
    repo = git.Repo(project)
    before = repo.head.commit.hexsha
    done = run_backendgen(
        "regenerate",
        str(project),
        "--agent",
        "documentation",
        "--requirements",
        "Orders must ship within 24 hours",
    )
    assert done.returncode == 0, done.stderr
    commits = list(repo.iter_commits(f"{before}..HEAD"))
    assert len(commits) == 1
    assert commits[0].trailers_dict["Backendgen-Agent"] == ["documentation"]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["requirements"] == "Orders must ship within 24 hours"
    assert "Orders must ship within 24 hours" in answers["slot_documentation"]["overview"]
    assert not repo.is_dirty(untracked_files=True)


def test_regenerate_refuses_bad_input(generated_projects: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "service"
    shutil.copytree(generated_projects["defaults"], project)
    unknown = run_backendgen("regenerate", str(project), "--agent", "poet")
    assert unknown.returncode == 2
    assert "unknown agent 'poet'" in unknown.stderr
    (project / "scratch.txt").write_text("work in progress")
    dirty = run_backendgen("regenerate", str(project), "--agent", "documentation")
    assert dirty.returncode == 2
    assert "uncommitted changes" in dirty.stderr
    not_a_project = run_backendgen("regenerate", str(tmp_path), "--agent", "documentation")
    assert not_a_project.returncode == 2
