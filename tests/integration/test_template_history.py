"""The template's releases ship in the package as a git bundle that Copier updates from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from backendgen.errors import UserInputError
from backendgen.generator.template_history import (
    HISTORY_DIR,
    TEMPLATE_PATHS,
    TemplateHistory,
    main,
    release_template,
    template_digest,
)
from backendgen.generator.template_source import (
    bundled_template,
    bundled_template_root,
    is_bundled_template,
    publish_template,
)
from tests.helpers import (
    VENV_BIN,
    commit_and_tag,
    copy_bundled_template,
    git_out,
    project_env,
    replace_in,
    run,
    run_backendgen,
)

REPO = Path(__file__).resolve().parents[2]
FIRST_RELEASE = "88928cfdb3edc9a5af6834a9d15fdb7e25645192"
README = "templates/backend/README.md.jinja"
QUICK_START = "## Quick start"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A backendgen-like repository: the template at commit 1, a README change at commit 2."""
    repo = tmp_path / "source"
    copy_bundled_template(repo)
    (repo / "NOT_TEMPLATE.txt").write_text("outside the template\n")
    commit_and_tag(repo, "one")
    replace_in(repo / README, QUICK_START, "## Getting started")
    commit_and_tag(repo, "two")
    return repo


def _checkout(bundle: Path, tag: str, target: Path) -> Path:
    run(["git", "clone", "--quiet", "--no-checkout", str(bundle), str(target)])
    git_out(target, "-c", "advice.detachedHead=false", "checkout", "--quiet", tag)
    return target


def test_shipped_bundle_holds_v0_1_0_equal_to_the_first_release_commit(tmp_path: Path) -> None:
    history = TemplateHistory.shipped()
    assert "v0.1.0" in history.releases()
    checkout = _checkout(history.bundle, "v0.1.0", tmp_path / "v0.1.0")
    released = git_out(checkout, "ls-tree", "-r", "--name-only", "v0.1.0").splitlines()
    expected = git_out(
        REPO, "ls-tree", "-r", "--name-only", FIRST_RELEASE, "--", *TEMPLATE_PATHS
    ).splitlines()
    assert released == expected
    assert "copier.yml" in released
    for path in expected:
        original = subprocess.run(
            ["git", "show", f"{FIRST_RELEASE}:{path}"], cwd=REPO, capture_output=True, check=True
        ).stdout
        assert (checkout / path).read_bytes() == original, path
    assert history.releases()["v0.1.0"] == template_digest(checkout)


def test_release_tool_is_deterministic_and_refuses_an_existing_tag(
    source: Path, tmp_path: Path
) -> None:
    first, second = TemplateHistory.at(tmp_path / "a"), TemplateHistory.at(tmp_path / "b")
    for history in (first, second):
        assert release_template("1.0.0", "HEAD~1", source=source, history=history) == "v1.0.0"
        assert release_template("v1.1.0", "HEAD", source=source, history=history) == "v1.1.0"
    assert first.bundle.read_bytes() == second.bundle.read_bytes()
    assert list(first.releases()) == ["v1.0.0", "v1.1.0"]
    heads = git_out(tmp_path, "bundle", "list-heads", str(first.bundle)).splitlines()
    assert sorted(line.split()[1] for line in heads) == [
        "refs/heads/main",
        "refs/tags/v1.0.0",
        "refs/tags/v1.1.0",
    ]
    checkout = _checkout(first.bundle, "v1.0.0", tmp_path / "v1")
    assert not (checkout / "NOT_TEMPLATE.txt").exists()
    assert QUICK_START in (checkout / README).read_text()
    assert first.releases()["v1.0.0"] == template_digest(checkout)
    saved = first.bundle.read_bytes(), first.index.read_bytes()
    with pytest.raises(UserInputError, match="already exists"):
        release_template("1.1.0", "HEAD", source=source, history=first)
    assert main(["1.1.0", "HEAD", "--source", str(source), "--history", str(tmp_path / "a")]) == 2
    assert (first.bundle.read_bytes(), first.index.read_bytes()) == saved


@pytest.mark.parametrize(
    ("version", "rev", "message"),
    [
        ("1.2.0rc1", "HEAD", "pre-release"),
        ("0.9.0", "HEAD", "not newer"),
        ("1.2.0", "HEAD", "nothing new"),
        ("1.2.0", "no-such-rev", "not a revision"),
        ("latest", "HEAD", "not a PEP 440 version"),
    ],
)
def test_release_tool_refuses_bad_releases(
    source: Path, tmp_path: Path, version: str, rev: str, message: str
) -> None:
    history = TemplateHistory.at(tmp_path / "h")
    release_template("1.0.0", "HEAD", source=source, history=history)
    saved = history.bundle.read_bytes(), history.index.read_bytes()
    with pytest.raises(UserInputError, match=message):
        release_template(version, rev, source=source, history=history)
    assert (history.bundle.read_bytes(), history.index.read_bytes()) == saved


def test_upgrading_the_package_makes_the_new_release_visible_to_plain_copier_update(
    source: Path, tmp_path: Path
) -> None:
    # Package A ships one release; package B ships A's plus a second one.
    a, b = TemplateHistory.at(tmp_path / "a"), TemplateHistory.at(tmp_path / "b")
    release_template("1.0.0", "HEAD~1", source=source, history=a)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    release_template("2.0.0", "HEAD", source=source, history=b)
    installed = tmp_path / "site-packages" / "backendgen" / "template_history"
    shutil.copytree(tmp_path / "a", installed)
    bundle = installed / "template.bundle"
    project = tmp_path / "service"
    done = run_backendgen("new", str(project), "--defaults", "--template", str(bundle), "--trust")
    assert done.returncode == 0, done.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert (answers["_src_path"], answers["_commit"]) == (str(bundle), "v1.0.0")
    assert QUICK_START in (project / "README.md").read_text()

    shutil.copy2(b.bundle, bundle)  # the package upgrade
    update = run(
        [str(VENV_BIN / "copier"), "update", "--trust", "--defaults", "--quiet"],
        cwd=project,
        env=project_env(),
    )
    assert update.returncode == 0, update.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2.0.0"
    assert "## Getting started" in (project / "README.md").read_text()


def test_bundled_template_renders_from_the_bundle_at_a_release_else_from_a_seeded_mirror(
    source: Path, tmp_path: Path
) -> None:
    history = TemplateHistory.at(tmp_path / "h")
    release_template("1.0.0", "HEAD~1", source=source, history=history)
    root = tmp_path / "root"
    _checkout(history.bundle, "v1.0.0", root)
    mirror = tmp_path / "cache" / "template-history"

    released = bundled_template(None, root=root, history=history, mirror=mirror)
    assert (released.src, released.vcs_ref, released.files) == (
        str(history.bundle),
        "v1.0.0",
        root,
    )
    assert released.trusted
    assert not mirror.exists()

    replace_in(root / README, QUICK_START, "## Start here")  # development content
    dev = bundled_template(None, root=root, history=history, mirror=mirror)
    assert (dev.src, dev.vcs_ref, dev.files) == (str(mirror), "v1.0.0.post1", root)
    assert git_out(mirror, "tag", "--list").split() == ["v1.0.0", "v1.0.0.post1"]
    assert Version("1.0.0.post1") > Version("1.0.0")
    assert not Version("1.0.0.post1").is_prerelease
    assert publish_template(root, mirror, history).vcs_ref == "v1.0.0.post1"  # same content
    replace_in(root / README, "## Start here", "## Begin")
    assert publish_template(root, mirror, history).vcs_ref == "v1.0.0.post2"
    replace_in(root / README, "## Begin", "## Start here")  # back: the newest tag follows
    assert publish_template(root, mirror, history).vcs_ref == "v1.0.0.post3"

    release_template("1.1.0", "HEAD", source=source, history=history)  # a newer release
    assert publish_template(root, mirror, history).vcs_ref == "v1.1.0.post1"
    assert "v1.1.0" in git_out(mirror, "tag", "--list").split()

    older = bundled_template("v1.0.0", root=root, history=history, mirror=mirror)
    assert (older.src, older.vcs_ref, older.files) == (str(history.bundle), "v1.0.0", None)
    with pytest.raises(UserInputError, match=r"available: v1\.0\.0, .*v1\.1\.0"):
        bundled_template("v7.0.0", root=root, history=history, mirror=mirror)


def test_new_from_the_dev_tree_uses_the_shipped_releases(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    project = tmp_path / "service"
    env = project_env(XDG_CACHE_HOME=str(cache))
    done = run_backendgen("new", str(project), "--defaults", env=env)
    assert done.returncode == 0, done.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    releases = TemplateHistory.shipped().releases()
    src, tag = str(answers["_src_path"]), str(answers["_commit"])
    digest = template_digest(bundled_template_root())
    released = [t for t, known in releases.items() if known == digest]
    if released:  # the working template is a release: rendered from the shipped bundle
        assert (src, tag) == (str(HISTORY_DIR / "template.bundle"), released[-1])
        assert is_bundled_template(src)
    else:  # development: a mirror seeded with every release, the dev tag above them
        mirror = cache / "backendgen" / "template-history"
        assert src == str(mirror)
        assert set(releases) <= set(git_out(mirror, "tag", "--list").split())
        latest = max(releases, key=lambda t: Version(t.removeprefix("v")))
        assert tag.startswith(f"{latest}.post")
        assert Version(tag.removeprefix("v")) > Version(latest.removeprefix("v"))


def test_the_wheel_settings_ship_the_bundle() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'packages = ["backendgen"]' in pyproject
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", str(HISTORY_DIR / "template.bundle")],
        cwd=REPO,
        check=False,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    assert ignored.returncode == 1  # not ignored: hatch includes it in the package
    index = json.loads((HISTORY_DIR / "index.json").read_text())
    assert set(index) == set(TemplateHistory.shipped().releases())


def test_update_of_a_dev_mirror_project_first_publishes_the_installed_releases(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier

    from backendgen.generator import update as update_module
    from backendgen.generator.update import update_project

    a, b = TemplateHistory.at(tmp_path / "a"), TemplateHistory.at(tmp_path / "b")
    release_template("1.0.0", "HEAD~1", source=source, history=a)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    release_template("2.0.0", "HEAD", source=source, history=b)
    root = _checkout(a.bundle, "v1.0.0", tmp_path / "root")
    replace_in(root / README, QUICK_START, "## Start here")  # development content
    mirror = tmp_path / "cache" / "template-history"
    monkeypatch.setattr(update_module, "bundled_mirror", lambda: mirror)
    monkeypatch.setattr(update_module, "bundled_template_root", lambda: root)
    dev = publish_template(root, mirror, a)
    assert dev.vcs_ref == "v1.0.0.post1"
    project = tmp_path / "service"
    copier.run_copy(dev.src, project, vcs_ref=dev.vcs_ref, defaults=True, quiet=True, unsafe=True)
    commit_and_tag(project, "chore: scaffold")

    # backendgen B is installed: its bundle has v2.0.0, which the mirror has never seen, and
    # its development template has moved on.
    monkeypatch.setattr(TemplateHistory, "shipped", classmethod(lambda _cls: b))
    replace_in(root / README, "## Start here", "## Begin")
    result = update_project(project, trust=True)
    assert (result.current, result.target) == ("v1.0.0.post1", "v2.0.0.post1")
    assert git_out(project, "log", "-1", "--format=%s") == (
        "chore(template): update v1.0.0.post1 -> v2.0.0.post1"
    )
    assert "v2.0.0" in git_out(mirror, "tag", "--list").split()
    readme = (project / "README.md").read_text()
    assert "## Begin" in readme
    assert "## Start here" not in readme
