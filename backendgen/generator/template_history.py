"""The released versions of the bundled template: a git bundle shipped inside the package.

Every release of the template is one commit and one PEP 440 tag (``v0.1.0``, ``v0.2.0``, ...)
in ``backendgen/template_history/template.bundle``, beside ``index.json`` mapping each tag to
its :func:`template_digest`. Copier reads a git bundle
file like a repository, so a project rendered from the bundle records the bundle's path as its
``_src_path``: installing a newer backendgen replaces the file, and plain ``copier update``
sees the new tags at once.

A release is appended with ``make release-template VERSION=0.2.0 REV=HEAD`` (this module's
:func:`main`). It is deterministic: the commit's author and committer are fixed and dated with
the source revision's commit time, and the pack is written single-threaded, so the same
repository revision appended to the same bundle gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from backendgen.errors import BackendgenError, TemplateError, UserInputError

HISTORY_DIR = Path(__file__).resolve().parents[1] / "template_history"
"""Where the shipped bundle and its index live, inside the installed package."""

TEMPLATE_DIRS = ("templates", "template_extensions")
"""Directories of the template root, beside ``copier.yml``."""

TEMPLATE_PATHS = ("copier.yml", *TEMPLATE_DIRS)
"""The paths of a backendgen revision that make up the template."""

RELEASE_IDENTITY = {
    "GIT_AUTHOR_NAME": "backendgen release",
    "GIT_AUTHOR_EMAIL": "release@backendgen.invalid",
    "GIT_COMMITTER_NAME": "backendgen release",
    "GIT_COMMITTER_EMAIL": "release@backendgen.invalid",
}
"""The fixed identity of release commits."""

_QUIET_GIT = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


def template_files(root: Path) -> list[Path]:
    """Return the template's files below ``root``: ``copier.yml``, then each directory's."""
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
    for path in template_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def git(
    cwd: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    """Run git in ``cwd`` without the user's configuration and return its stdout.

    Raises:
        TemplateError: When git fails.
    """
    try:
        done = subprocess.run(
            ["git", "-c", "pack.threads=1", *args],
            cwd=cwd,
            env=os.environ | _QUIET_GIT | (env or {}),
            input=stdin,
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as error:
        stderr = error.stderr.decode(errors="replace").strip()
        raise TemplateError(f"git {args[0]} failed in {cwd}: {stderr}") from None
    return done.stdout.decode(errors="replace").strip()


@dataclass(frozen=True)
class TemplateHistory:
    """A bundle of released template versions and its tag -> digest index."""

    bundle: Path
    """The git bundle file (absent before the first release)."""
    index: Path
    """The JSON index: ``{"v0.1.0": "<template digest>", ...}``."""

    @classmethod
    def shipped(cls) -> TemplateHistory:
        """The history shipped with this installation of backendgen."""
        return cls.at(HISTORY_DIR)

    @classmethod
    def at(cls, directory: Path) -> TemplateHistory:
        """The history kept in ``directory`` (``template.bundle`` and ``index.json``)."""
        return cls(bundle=directory / "template.bundle", index=directory / "index.json")

    def releases(self) -> dict[str, str]:
        """Return the released tags, oldest first, each with its template digest."""
        if not self.bundle.is_file() or not self.index.is_file():
            return {}
        loaded = json.loads(self.index.read_text("utf-8"))
        if not isinstance(loaded, dict):
            raise TemplateError(f"{self.index} does not hold a mapping of tag: digest")
        return {str(tag): str(loaded[tag]) for tag in sorted(loaded, key=tag_version)}

    def latest(self) -> str | None:
        """Return the newest released tag, or None before the first release."""
        tags = list(self.releases())
        return tags[-1] if tags else None

    def tag_of(self, digest: str) -> str | None:
        """Return the newest release whose template content has ``digest``, if any."""
        matching = [tag for tag, known in self.releases().items() if known == digest]
        return matching[-1] if matching else None


def tag_version(tag: str) -> Version:
    """Parse a ``v``-prefixed tag as a PEP 440 version.

    Raises:
        UserInputError: When the tag is not a PEP 440 version.
    """
    try:
        return Version(tag.removeprefix("v"))
    except InvalidVersion:
        raise UserInputError(f"'{tag}' is not a PEP 440 version") from None


def _extract(source: Path, rev: str, target: Path) -> str:
    """Write the template files of ``source`` at ``rev`` into ``target``; return the commit."""
    try:
        commit = git(source, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except TemplateError:
        raise UserInputError(f"{rev} is not a revision of {source}") from None
    listing = git(source, "ls-tree", "-r", "-z", commit, "--", *TEMPLATE_PATHS)
    entries = [item.split("\t", 1) for item in listing.split("\0") if item]
    if not any(path == "copier.yml" for _, path in entries):
        raise UserInputError(f"{source} has no copier.yml at {rev}")
    for meta, path in entries:
        mode, kind, sha = meta.split()
        if kind != "blob":
            raise TemplateError(f"{path} at {rev} is a {kind}; a template holds only files")
        content = subprocess.run(
            ["git", "cat-file", "blob", sha], cwd=source, capture_output=True, check=True
        ).stdout
        file = target / path
        file.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            file.symlink_to(content.decode())
            continue
        file.write_bytes(content)
        file.chmod(0o755 if mode == "100755" else 0o644)
    return commit


def release_template(
    version: str, rev: str, *, source: Path, history: TemplateHistory | None = None
) -> str:
    """Append the template of ``source`` at ``rev`` to the bundle as release ``version``.

    Args:
        version: The PEP 440 version to release (``0.2.0``; a leading ``v`` is allowed).
        rev: A revision of the backendgen repository ``source``.
        source: The backendgen git repository (holding ``copier.yml`` and ``templates/``).
        history: The bundle and index to append to; the shipped ones by default.

    Returns:
        The new tag (``v0.2.0``).

    Raises:
        UserInputError: For a bad or existing version, one not newer than the last release,
            a pre-release, a bad revision, or content identical to the last release.
    """
    history = history or TemplateHistory.shipped()
    tag = f"v{version.removeprefix('v')}"
    wanted = tag_version(tag)
    if wanted.is_prerelease:
        raise UserInputError(f"{tag} is a pre-release, which copier update ignores")
    releases = history.releases()
    if tag in releases:
        raise UserInputError(f"template release {tag} already exists in {history.bundle}")
    latest = history.latest()
    if latest is not None and wanted <= tag_version(latest):
        raise UserInputError(f"{tag} is not newer than the last release {latest}")
    with tempfile.TemporaryDirectory(prefix="backendgen-release-") as tmp:
        files, repo = Path(tmp) / "files", Path(tmp) / "repo.git"
        files.mkdir()
        commit = _extract(source, rev, files)
        digest = template_digest(files)
        if latest is not None and releases[latest] == digest:
            raise UserInputError(f"the template at {rev} equals release {latest}: nothing new")
        git(Path(tmp), "init", "--quiet", "--bare", "--initial-branch=main", str(repo))
        parent: list[str] = []
        if latest is not None:
            git(repo, "fetch", "--quiet", str(history.bundle.resolve()), "+refs/*:refs/*")
            parent = ["-p", git(repo, "rev-parse", "refs/heads/main")]
        work = {"GIT_DIR": str(repo), "GIT_WORK_TREE": str(files)}
        git(files, "add", "--all", env=work)
        tree = git(files, "write-tree", env=work)
        when = git(source, "log", "-1", "--format=%ct", commit)
        dated = {"GIT_AUTHOR_DATE": f"{when} +0000", "GIT_COMMITTER_DATE": f"{when} +0000"}
        message = f"template {tag}\n\nFrom backendgen {commit}.\n".encode()
        created = git(
            repo, "commit-tree", tree, *parent, stdin=message, env=RELEASE_IDENTITY | dated
        )
        git(repo, "update-ref", "refs/heads/main", created)
        git(repo, "tag", tag, created)
        # Staged beside their targets, so the two renames stay on one file system.
        history.bundle.parent.mkdir(parents=True, exist_ok=True)
        history.index.parent.mkdir(parents=True, exist_ok=True)
        staged_bundle = history.bundle.with_name(f".{history.bundle.name}.new")
        staged_index = history.index.with_name(f".{history.index.name}.new")
        try:
            git(repo, "bundle", "create", "--quiet", str(staged_bundle), "main", "--tags")
            index = {**releases, tag: digest}
            staged_index.write_text(json.dumps(index, indent=2) + "\n", "utf-8")
            staged_bundle.replace(history.bundle)
            staged_index.replace(history.index)
        finally:
            staged_bundle.unlink(missing_ok=True)
            staged_index.unlink(missing_ok=True)
    return tag


def main(argv: Sequence[str] | None = None) -> int:
    """Append a release from the command line: ``VERSION [REV]`` (``make release-template``).

    Returns:
        The exit code: 0, or 2 for bad input (one line on stderr, nothing written).
    """
    parser = argparse.ArgumentParser(
        prog="release-template", description="append a template release to the bundle"
    )
    parser.add_argument("version", help="PEP 440 version, e.g. 0.2.0")
    parser.add_argument("rev", nargs="?", default="HEAD", help="backendgen revision")
    parser.add_argument("--source", type=Path, default=HISTORY_DIR.parents[1])
    parser.add_argument("--history", type=Path, default=HISTORY_DIR)
    args = parser.parse_args(argv)
    try:
        tag = release_template(
            args.version, args.rev, source=args.source, history=TemplateHistory.at(args.history)
        )
    except BackendgenError as error:
        print(f"release-template: error: {error}", file=sys.stderr)
        return error.exit_code
    print(f"released template {tag} into {args.history / 'template.bundle'}")
    return 0
