"""A project made with every earlier release updates to the current template, losing nothing.

For each release shipped in the package's template history and each fixture of
``tests/releases/<tag>/`` (the answers that release's backendgen recorded), the project is
rendered at its release tag, committed, edited by its "team", then moved to the current
template with ``backendgen update``. It must pass its own tests, keep the team's edits (or list
them as conflicts), still render every entity, role and alert of its stored specs, and make no
LLM request.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import copier
import git
import pytest
import yaml

from backendgen.generator.template_history import TemplateHistory
from backendgen.generator.template_source import bundled_template
from tests.helpers import counting_llm_endpoint, project_env, run_backendgen, run_project_tests

RELEASES = Path(__file__).parents[1] / "releases"
USER_FILE = "core/services/team_extension.py"
USER_FILE_BODY = '"""Owned by the payments squad."""\n\nTEAM = "payments"\n'
README_NOTE = "Team note: owned by the payments squad."


def _fixtures() -> Iterator[tuple[str, Path]]:
    for tag in sorted(TemplateHistory.shipped().releases()):
        for path in sorted((RELEASES / tag).glob("*.yml")):
            if not path.name.endswith(".domain.yml"):
                yield tag, path


FIXTURES = list(_fixtures())


@pytest.fixture
def llm_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A loopback OpenAI-style endpoint that records every request it gets."""
    with counting_llm_endpoint() as endpoint:
        yield endpoint


def test_every_release_has_fixtures() -> None:
    releases = TemplateHistory.shipped().releases()
    assert releases, "the package ships no template release"
    for tag in releases:
        assert any(t == tag for t, _ in FIXTURES), f"no fixtures in tests/releases/{tag}/"


def _render_at_release(src: str, tag: str, answers: dict[str, Any], project: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
        copier.run_copy(
            src,
            project,
            data=answers,
            vcs_ref=tag,
            defaults=True,
            quiet=True,
            skip_tasks=True,
            unsafe=True,
        )
    repo = git.Repo.init(project, initial_branch="main")
    repo.git.add("--all")
    repo.git.commit("-qm", f"chore: scaffold from backendgen template {tag}")


def _team_edits(project: Path) -> None:
    (project / USER_FILE).write_text(USER_FILE_BODY)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + f"\n{README_NOTE}\n")
    repo = git.Repo(project)
    repo.git.add("--all")
    repo.git.commit("-qm", "docs: team note and extension")


def _assert_agent_content_renders(project: Path, answers: dict[str, Any]) -> None:
    models = "\n".join(p.read_text() for p in (project / "core" / "models").glob("*.py"))
    for entity in answers["slot_core_backend"]["entities"]:
        assert re.search(rf"^class {entity['name']}\b", models, re.M), entity["name"]
    permissions = (project / "security" / "policies" / "permissions.py").read_text()
    for role in answers["slot_security_compliance"]["roles"]:
        assert f'"{role["name"]}"' in permissions, role["name"]
    alerts = yaml.safe_load((project / "monitoring" / "alerts" / "alerts.yml").read_text())
    names = {rule["alert"] for group in alerts["groups"] for rule in group["rules"]}
    for alert in answers["slot_monitoring_observability"]["alerts"]:
        assert alert["name"] in names, alert["name"]


@pytest.mark.slow
@pytest.mark.parametrize(("tag", "fixture"), FIXTURES, ids=[f"{t}-{p.stem}" for t, p in FIXTURES])
def test_a_project_of_an_earlier_release_updates_to_the_current_template(
    tag: str,
    fixture: Path,
    tmp_path: Path,
    llm_endpoint: tuple[str, list[str]],
) -> None:
    current = bundled_template(None)  # the dev mirror's tag, or the latest release itself
    answers = yaml.safe_load(fixture.read_text())
    project = tmp_path / answers["project_name"]
    _render_at_release(current.src, tag, answers, project)
    _team_edits(project)
    before = git.Repo(project).head.commit.hexsha

    base_url, requests = llm_endpoint
    env = project_env(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="test-key")
    done = run_backendgen("update", str(project), env=env)
    assert requests == []
    repo = git.Repo(project)
    if done.returncode == 3:  # a conflict: listed, never committed, only in edited files
        assert repo.head.commit.hexsha == before
        listed = set(re.findall(r"conflict: (\S+)", done.stderr))
        assert listed
        assert listed <= {"README.md", USER_FILE}, done.stderr
        pytest.fail(f"the release fixture's team edits conflict: {done.stderr}")
    assert done.returncode == 0, done.stderr
    if current.vcs_ref == tag:  # the tree is this release: nothing to update, no commit
        assert repo.head.commit.hexsha == before
    else:
        assert repo.head.commit.summary == f"chore(template): update {tag} -> {current.vcs_ref}"
    assert not repo.is_dirty(untracked_files=True)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == current.vcs_ref

    assert (project / USER_FILE).read_text() == USER_FILE_BODY
    assert README_NOTE in (project / "README.md").read_text()
    _assert_agent_content_renders(project, answers)
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-4000:]
