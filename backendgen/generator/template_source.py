"""Where the Copier template comes from, and the tagged git repositories behind the bundled one.

``copier update`` can only find the version a project was made from when the template is a git
repository with PEP 440 tags. A user's ``--template`` (a git URL or path) is used as given. The
bundled template's releases ship with the package as a git bundle
(:mod:`backendgen.generator.template_history`): when the bundled files equal a release, the
project is rendered from the bundle file itself, so a newer backendgen's bundle is what plain
``copier update`` reads next. A development template that equals no release is mirrored into
a git repository in the user cache directory, seeded with the bundle's release tags and holding
one commit per distinct development content, tagged ``v<last release>.postN``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from backendgen.bundle import bundled_template_root
from backendgen.errors import TemplateError, UserInputError
from backendgen.generator.template_history import (
    TEMPLATE_DIRS,
    TemplateHistory,
    tag_version,
    template_digest,
    template_files,
)
from backendgen.version import __version__

__all__ = [
    "TEMPLATE_DIRS",
    "TemplateRef",
    "bundled_mirror",
    "bundled_template_root",
    "cache_dir",
    "is_bundled_template",
    "publish_template",
    "resolve_template",
    "template_digest",
]

MIRROR_NAME = "template-history"
"""The cache directory of the development mirror (``template`` was the earlier scheme's)."""

_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "backendgen",
    "GIT_AUTHOR_EMAIL": "backendgen@localhost",
    "GIT_COMMITTER_NAME": "backendgen",
    "GIT_COMMITTER_EMAIL": "backendgen@localhost",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass(frozen=True)
class TemplateRef:
    """A template Copier can copy from and later update from."""

    src: str
    """Git URL or local path of the template repository."""
    vcs_ref: str | None
    """Tag or commit to render; None lets Copier pick the latest tag."""
    trusted: bool = False
    """Allow the template's Jinja extensions (the bundled template, or ``--trust``)."""
    files: Path | None = None
    """A local directory holding the template's files at ``vcs_ref``, when known."""


def cache_dir() -> Path:
    """Return backendgen's cache directory (``XDG_CACHE_HOME`` is respected)."""
    return Path(platformdirs.user_cache_dir("backendgen", appauthor=False))


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=repo,
            env=os.environ | _GIT_IDENTITY,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as error:
        raise TemplateError(f"git {args[0]} failed in {repo}: {error.stderr.strip()}") from None
    return done.stdout.strip()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (parallel runs share one mirror)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _posts(base: str, existing: list[str]) -> list[int]:
    return sorted(int(t.rsplit(".post", 1)[1]) for t in existing if t.startswith(f"{base}.post"))


def _post_tag(base: str, existing: list[str]) -> str:
    return f"{base}.post{max(_posts(base, existing), default=0) + 1}"


def publish_template(
    root: Path, mirror: Path, history: TemplateHistory | None = None
) -> TemplateRef:
    """Commit and tag the development template at ``root`` into the git repository ``mirror``.

    The mirror first fetches every release tag of ``history``'s bundle; the content of
    ``root`` then goes on top of the last release as ``v<last release>.postN`` (a
    post-release, which ``copier update`` does not skip as it skips pre-releases). The same
    content keeps its tag while that is the newest one (no newer release, no other content
    published since), so the mirror's newest tag is always the latest published content.

    Args:
        root: Template root to publish.
        mirror: The git repository holding the published versions (created if missing).
        history: The released versions to seed the mirror with; the shipped ones by default.

    Returns:
        A reference to the tagged version.
    """
    history = history or TemplateHistory.shipped()
    digest = template_digest(root)
    latest = history.latest()
    base = latest or f"v{__version__}"
    index_path = mirror.parent / f"{mirror.name}.index.json"
    with _locked(mirror.parent / f"{mirror.name}.lock"):
        index: dict[str, str] = (
            json.loads(index_path.read_text("utf-8")) if index_path.is_file() else {}
        )
        if not (mirror / ".git").is_dir():
            mirror.mkdir(parents=True, exist_ok=True)
            _git(mirror, "init", "--quiet", "--initial-branch=main")
            index = {}
        tags = _git(mirror, "tag", "--list").split()
        if latest is not None and not set(history.releases()) <= set(tags):
            bundle = str(history.bundle.resolve())
            _git(mirror, "fetch", "--quiet", "--force", bundle, "refs/tags/*:refs/tags/*")
            tags = _git(mirror, "tag", "--list").split()
        posts = _posts(base, tags)
        newest = f"{base}.post{posts[-1]}" if posts else None
        if newest is not None and index.get(digest) == newest:
            # Reused only while it is the newest tag, which plain `copier update` picks.
            return TemplateRef(src=str(mirror), vcs_ref=newest, trusted=True, files=root)
        if latest is not None:
            _git(mirror, "checkout", "--quiet", "--force", "-B", "main", latest)
        for child in mirror.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        for path in template_files(root):
            target = mirror / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        _git(mirror, "add", "--all")
        _git(mirror, "commit", "--quiet", "--allow-empty", "-m", f"template {digest[:12]}")
        tag = _post_tag(base, tags)
        _git(mirror, "tag", tag)
        index[digest] = tag
        index_path.write_text(json.dumps(index, indent=2), "utf-8")
    return TemplateRef(src=str(mirror), vcs_ref=tag, trusted=True, files=root)


def bundled_mirror() -> Path:
    """Return the git repository the development template is published into."""
    return cache_dir() / MIRROR_NAME


def is_bundled_template(src: str) -> bool:
    """Tell whether a recorded ``_src_path`` is the bundled template (always trusted).

    That is the shipped bundle, the development mirror, or the earlier scheme's mirror.
    """
    if not src:
        return False
    path = Path(src).expanduser().resolve()
    known = (TemplateHistory.shipped().bundle, bundled_mirror(), cache_dir() / "template")
    return any(path == candidate.resolve() for candidate in known)


def _mirror_tags(mirror: Path) -> list[str]:
    return _git(mirror, "tag", "--list").split() if (mirror / ".git").is_dir() else []


def bundled_template(
    vcs_ref: str | None,
    *,
    root: Path | None = None,
    history: TemplateHistory | None = None,
    mirror: Path | None = None,
) -> TemplateRef:
    """Return the bundled template: its shipped bundle at a release, else the dev mirror.

    Args:
        vcs_ref: A release or mirror tag to render, or None for the bundled files' own version.
        root: The template root (the installed one by default).
        history: The released versions (the shipped ones by default).
        mirror: The development mirror (in the cache directory by default).

    Returns:
        The template reference; ``files`` is set when ``root`` holds that version's files.

    Raises:
        UserInputError: For a ``vcs_ref`` that is no known version.
    """
    root = root or bundled_template_root()
    history = history or TemplateHistory.shipped()
    mirror = mirror or bundled_mirror()
    releases = history.releases()
    digest = template_digest(root)
    if vcs_ref is None:
        tag = history.tag_of(digest)
        if tag is not None:
            return TemplateRef(src=str(history.bundle), vcs_ref=tag, trusted=True, files=root)
        return publish_template(root, mirror, history)
    if vcs_ref in releases:
        files = root if releases[vcs_ref] == digest else None
        return TemplateRef(src=str(history.bundle), vcs_ref=vcs_ref, trusted=True, files=files)
    published = None if history.tag_of(digest) else publish_template(root, mirror, history)
    if vcs_ref in _mirror_tags(mirror):
        files = root if published is not None and published.vcs_ref == vcs_ref else None
        return TemplateRef(src=str(mirror), vcs_ref=vcs_ref, trusted=True, files=files)
    versions = sorted({*releases, *_mirror_tags(mirror)}, key=_sort_key)
    raise UserInputError(
        f"unknown template version '{vcs_ref}' (available: {', '.join(versions) or 'none'})"
    )


def _sort_key(tag: str) -> tuple[int, object]:
    try:
        return (0, tag_version(tag))
    except UserInputError:
        return (1, tag)


def resolve_template(src: str | None, vcs_ref: str | None, *, trust: bool = False) -> TemplateRef:
    """Return the template to render: the user's, or the bundled one.

    Args:
        src: ``--template`` (git URL or path), or None for the bundled template.
        vcs_ref: ``--vcs-ref``, or None.
        trust: Allow a user template's Jinja extensions (``--trust``).

    Returns:
        The template reference.
    """
    if src is not None:
        return TemplateRef(src=src, vcs_ref=vcs_ref, trusted=trust, files=_plain_folder(src))
    return bundled_template(vcs_ref)


def _plain_folder(src: str) -> Path | None:
    """Return ``src`` when it is a local folder outside git (Copier renders it as it is)."""
    root = Path(src)
    if not (root / "copier.yml").is_file():
        return None
    top = root.resolve()
    if any((folder / ".git").exists() for folder in (top, *top.parents)):
        return None  # Copier renders a tag or commit, not necessarily the work tree
    return root
