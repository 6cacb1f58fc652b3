"""Where the Copier template comes from, and the tagged git repository behind the bundled one.

``copier update`` can only find the version a project was made from when the template is a git
repository with PEP 440 tags. A user's ``--template`` (a git URL or path) is used as given; the
template bundled with backendgen is mirrored into a local git repository in the user cache
directory, one commit and tag per distinct content (``v0.1.0``, then ``v0.1.0.post1``, ...).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from backendgen import __version__
from backendgen.errors import TemplateError

TEMPLATE_DIRS = ("templates", "template_extensions")
"""Directories of the template root copied into the mirror, beside ``copier.yml``."""

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


def bundled_template_root() -> Path:
    """Return the directory holding the bundled ``copier.yml`` and ``templates/``.

    Raises:
        TemplateError: If the installation lacks its template.
    """
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_bundled", package.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "templates").is_dir():
            return candidate
    raise TemplateError(f"the bundled template is missing from {package}")


def _template_files(root: Path) -> list[Path]:
    files = [root / "copier.yml"]
    for directory in TEMPLATE_DIRS:
        files += sorted(
            p
            for p in (root / directory).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        )
    return files


def template_digest(root: Path) -> str:
    """Return a SHA-256 over the template's file names and contents.

    Args:
        root: A template root (holding ``copier.yml``).

    Returns:
        The hex digest; equal digests mean identical templates.
    """
    digest = hashlib.sha256()
    for path in _template_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


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


def _next_tag(existing: list[str]) -> str:
    base = f"v{__version__}"
    if base not in existing:
        return base
    posts = [int(t.rsplit(".post", 1)[1]) for t in existing if t.startswith(f"{base}.post")]
    return f"{base}.post{max(posts, default=0) + 1}"


def publish_template(root: Path, mirror: Path) -> TemplateRef:
    """Commit and tag the template at ``root`` into the git repository ``mirror``.

    The same content is published once: its tag is reused on later calls.

    Args:
        root: Template root to publish.
        mirror: The git repository holding the published versions (created if missing).

    Returns:
        A reference to the tagged version.
    """
    digest = template_digest(root)
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
        if index.get(digest) in tags:
            return TemplateRef(src=str(mirror), vcs_ref=index[digest], trusted=True, files=root)
        for child in mirror.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        for path in _template_files(root):
            target = mirror / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        _git(mirror, "add", "--all")
        _git(mirror, "commit", "--quiet", "--allow-empty", "-m", f"template {digest[:12]}")
        tag = _next_tag(tags)
        _git(mirror, "tag", tag)
        index[digest] = tag
        index_path.write_text(json.dumps(index, indent=2), "utf-8")
    return TemplateRef(src=str(mirror), vcs_ref=tag, trusted=True, files=root)


def bundled_mirror() -> Path:
    """Return the git repository the bundled template is published into."""
    return cache_dir() / "template"


def is_bundled_mirror(src: str) -> bool:
    """Tell whether a project's recorded ``_src_path`` is the bundled template's mirror."""
    return Path(src).expanduser().resolve() == bundled_mirror().resolve()


def resolve_template(src: str | None, vcs_ref: str | None, *, trust: bool = False) -> TemplateRef:
    """Return the template to render: the user's, or the bundled one's tagged mirror.

    Args:
        src: ``--template`` (git URL or path), or None for the bundled template.
        vcs_ref: ``--vcs-ref``, or None.
        trust: Allow a user template's Jinja extensions (``--trust``).

    Returns:
        The template reference.
    """
    if src is not None:
        return TemplateRef(src=src, vcs_ref=vcs_ref, trusted=trust)
    return publish_template(bundled_template_root(), bundled_mirror())
