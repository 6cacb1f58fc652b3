"""``backendgen update``: preview, Copier's update, one commit; conflicts listed, never lost.

One template repository with three tagged versions, each changing files every project has,
and one project generated at ``v1.0.0``, copied afresh for each test.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from backendgen.generator.update_preview import Change, classify
from tests.helpers import (
    commit_and_tag,
    copy_bundled_template,
    counting_llm_endpoint,
    git_out,
    project_env,
    replace_in,
    run_backendgen,
    tree_snapshot,
)

README = "templates/backend/README.md.jinja"
PYTHON_LINE = "You need Python 3.11 or newer (with its `venv` module) and `make`."
V2_PYTHON_LINE = "You need Python 3.12 or newer (with its `venv` module) and `make`."
TEAM_NOTE = "\nTeam note: owned by the payments squad.\n"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template repository tagged v1.0.0, v2.0.0 and v3.0.0."""
    repo = tmp_path_factory.mktemp("update") / "template"
    copy_bundled_template(repo)
    commit_and_tag(repo, "template v1", "v1.0.0")
    backend = repo / "templates" / "backend"
    replace_in(repo / README, PYTHON_LINE, V2_PYTHON_LINE)
    for name in (".gitignore", ".dockerignore"):
        (backend / name).write_text((backend / name).read_text() + "# template v2\n")
    commit_and_tag(repo, "template v2", "v2.0.0")
    replace_in(repo / README, "## Quick start", "## Getting started")
    (backend / ".gitignore").write_text((backend / ".gitignore").read_text() + "# v3\n")
    commit_and_tag(repo, "template v3", "v3.0.0")
    return repo


@pytest.fixture(scope="module")
def made(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project generated from the template at v1.0.0 (shared; tests copy it)."""
    project = tmp_path_factory.mktemp("made") / "service"
    done = run_backendgen(
        "new",
        str(project),
        "--defaults",
        "--template",
        str(template),
        "--vcs-ref",
        "v1.0.0",
        "--trust",
    )
    assert done.returncode == 0, done.stderr
    return project


@pytest.fixture
def project(made: Path, tmp_path: Path) -> Path:
    """A fresh copy of the v1.0.0 project."""
    copy = tmp_path / "service"
    shutil.copytree(made, copy, symlinks=True)
    return copy


def _commit(project: Path, message: str) -> None:
    git_out(project, "add", "--all")
    git_out(project, "commit", "--quiet", "-m", message)


def _recorded_version(project: Path) -> str:
    return str(yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"])


def _preview_line(stdout: str, change: Change, path: str) -> bool:
    return any(line.split() == [*change.value.split(), path] for line in stdout.splitlines())


def _state(project: Path) -> tuple[dict[str, bytes], str, str]:
    """The work tree's files (outside .git), HEAD and every ref."""
    files = {k: v for k, v in tree_snapshot(project).items() if not k.startswith(".git/")}
    return files, git_out(project, "rev-parse", "HEAD"), git_out(project, "show-ref")


def test_user_edit_survives_the_update_without_llm_requests(project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text() + TEAM_NOTE)
    _commit(project, "docs: team note")
    with counting_llm_endpoint() as (base_url, requests):
        env = project_env(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="test-key")
        done = run_backendgen("update", str(project), "--to", "v2.0.0", "--trust", env=env)
        assert done.returncode == 0, done.stderr
        assert requests == []
        # The counter works: one request sent now is seen (and answered with a 500).
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base_url}/probe", timeout=5)  # noqa: S310
        assert requests == ["/v1/probe"]
    assert _preview_line(done.stdout, Change.MERGES, "README.md"), done.stdout
    assert _preview_line(done.stdout, Change.TEMPLATE, ".gitignore"), done.stdout
    text = readme.read_text()
    assert TEAM_NOTE.strip() in text
    assert "Python 3.12 or newer" in text
    assert "Python 3.11" not in text
    assert _recorded_version(project) == "v2.0.0"
    assert git_out(project, "log", "-1", "--format=%s") == (
        "chore(template): update v1.0.0 -> v2.0.0"
    )
    body = git_out(project, "log", "-1", "--format=%b")
    assert "both changed (merges cleanly)" in body
    assert "README.md" in body
    assert git_out(project, "status", "--porcelain") == ""


def test_same_lines_changed_by_both_is_a_listed_conflict_and_nothing_is_committed(
    project: Path,
) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("Python 3.11", "Python 3.13 (team rule)"))
    _commit(project, "docs: our python")
    head = git_out(project, "rev-parse", "HEAD")
    done = run_backendgen("update", str(project), "--to", "v2.0.0", "--trust")
    assert done.returncode == 3, done.stdout + done.stderr
    assert _preview_line(done.stdout, Change.CONFLICT, "README.md"), done.stdout
    assert "  conflict: README.md" in done.stderr.splitlines()
    assert any(line.startswith("  next: git commit") for line in done.stderr.splitlines())
    text = readme.read_text()
    assert "<<<<<<< before updating" in text
    assert ">>>>>>> after updating" in text
    assert "Python 3.13 (team rule)" in text  # the user's line is kept
    assert "Python 3.12 or newer" in text  # beside the template's
    assert git_out(project, "rev-parse", "HEAD") == head
    assert "README.md" in git_out(project, "status", "--porcelain")


def test_user_deleted_file_is_reported_and_stays_deleted(project: Path) -> None:
    git_out(project, "rm", "--quiet", ".dockerignore")
    _commit(project, "chore: no docker")
    done = run_backendgen("update", str(project), "--to", "v2.0.0", "--trust")
    assert done.returncode == 0, done.stderr
    assert _preview_line(done.stdout, Change.DELETED, ".dockerignore"), done.stdout
    assert not (project / ".dockerignore").exists()
    assert (project / ".gitignore").read_text().endswith("# template v2\n")


@pytest.mark.parametrize("dirt", ["tracked", "untracked"])
def test_dirty_tree_is_refused_and_nothing_changes(project: Path, dirt: str) -> None:
    if dirt == "tracked":
        readme = project / "README.md"
        readme.write_text(readme.read_text() + "uncommitted\n")
    else:
        (project / "notes.txt").write_text("scratch\n")
    before = _state(project)
    done = run_backendgen("update", str(project), "--trust")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "uncommitted changes" in done.stderr
    assert _state(project) == before


def test_to_a_version_then_to_the_latest_then_nothing_to_do(project: Path) -> None:
    first = run_backendgen("update", str(project), "--to", "2.0.0", "--trust")
    assert first.returncode == 0, first.stderr
    assert _recorded_version(project) == "v2.0.0"
    second = run_backendgen("update", str(project), "--trust")
    assert second.returncode == 0, second.stderr
    assert _recorded_version(project) == "v3.0.0"
    assert "## Getting started" in (project / "README.md").read_text()
    assert git_out(project, "log", "-2", "--format=%s").splitlines() == [
        "chore(template): update v2.0.0 -> v3.0.0",
        "chore(template): update v1.0.0 -> v2.0.0",
    ]
    head = git_out(project, "rev-parse", "HEAD")
    again = run_backendgen("update", str(project), "--trust")
    assert again.returncode == 0, again.stderr
    assert "already at template v3.0.0" in again.stdout
    assert git_out(project, "rev-parse", "HEAD") == head
    back = run_backendgen("update", str(project), "--to", "v1.0.0", "--trust")
    assert back.returncode == 2
    assert "cannot go back to v1.0.0" in back.stderr
    assert git_out(project, "rev-parse", "HEAD") == head


def test_unknown_version_is_refused_naming_the_available_ones(project: Path) -> None:
    before = _state(project)
    done = run_backendgen("update", str(project), "--to", "v9.0.0", "--trust")
    assert done.returncode == 2
    assert "unknown template version 'v9.0.0'" in done.stderr
    assert "v1.0.0, v2.0.0, v3.0.0" in done.stderr
    assert _state(project) == before


def test_untrusted_user_template_is_refused_and_nothing_changes(project: Path) -> None:
    before = _state(project)
    done = run_backendgen("update", str(project), "--to", "v2.0.0")
    assert done.returncode == 2
    assert "--trust" in done.stderr
    assert _state(project) == before


def test_a_project_not_made_by_backendgen_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "README.md").write_text("hello\n")
    (other / ".copier-answers.yml").write_text("_src_path: gh:someone/else\n_commit: v1.0.0\n")
    commit_and_tag(other, "init")
    done = run_backendgen("update", str(other))
    assert done.returncode == 2
    assert "is not a project generated by backendgen" in done.stderr


@pytest.mark.parametrize(
    ("base", "theirs", "ours", "expected"),
    [
        (b"a\n", b"a\n", b"a\n", Change.UNCHANGED),
        (b"a\n", b"b\n", b"a\n", Change.TEMPLATE),
        (None, b"new\n", None, Change.TEMPLATE),
        (b"a\n", b"a\n", b"mine\n", Change.USER),
        (b"a\nb\nc\nd\ne\n", b"A\nb\nc\nd\ne\n", b"a\nb\nc\nd\nE\n", Change.MERGES),
        (b"a\n", b"b\n", b"b\n", Change.MERGES),
        (b"a\nb\n", b"theirs\nb\n", b"ours\nb\n", Change.CONFLICT),
        (None, b"theirs\n", b"ours\n", Change.CONFLICT),
        (b"a\n", None, b"ours\n", Change.CONFLICT),
        (b"a\n", b"a\n", None, Change.DELETED),
        (b"a\n", b"b\n", None, Change.DELETED),
    ],
)
def test_classify(
    tmp_path: Path,
    base: bytes | None,
    theirs: bytes | None,
    ours: bytes | None,
    expected: Change,
) -> None:
    assert classify(base, theirs, ours, tmp_path) is expected
