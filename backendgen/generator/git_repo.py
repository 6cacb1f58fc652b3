"""The generated project's git history: the scaffold commit and one commit per agent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import git

from backendgen.errors import GitError

FALLBACK_IDENTITY = ("backendgen", "backendgen@users.noreply.localhost")
"""Author and committer used when the user's git config has no identity."""


def _identity_env(repo: git.Repo) -> dict[str, str]:
    """Use the user's git identity, else a clear backendgen one."""
    reader = repo.config_reader()
    name = reader.get_value("user", "name", default="")
    email = reader.get_value("user", "email", default="")
    env: dict[str, str] = {}
    if not (name and email) and not os.environ.get("GIT_AUTHOR_NAME"):
        env = {
            "GIT_AUTHOR_NAME": FALLBACK_IDENTITY[0],
            "GIT_AUTHOR_EMAIL": FALLBACK_IDENTITY[1],
            "GIT_COMMITTER_NAME": FALLBACK_IDENTITY[0],
            "GIT_COMMITTER_EMAIL": FALLBACK_IDENTITY[1],
        }
    return env


def init_repository(path: Path) -> git.Repo:
    """Create a git repository with a ``main`` branch in ``path``.

    Args:
        path: The project directory.

    Returns:
        The repository.
    """
    try:
        return git.Repo.init(path, initial_branch="main")
    except git.GitError as error:
        raise GitError(f"cannot create a git repository in {path}: {error}") from None


def commit_all(
    repo: git.Repo,
    subject: str,
    trailers: Mapping[str, str] | None = None,
    *,
    allow_empty: bool = True,
) -> str:
    """Stage every change and commit it with ``subject`` and git trailers.

    Args:
        repo: The project repository.
        subject: Conventional-commit subject line.
        trailers: ``Key: value`` trailers appended to the message.
        allow_empty: Commit even when nothing changed (git refuses otherwise).

    Returns:
        The new commit's SHA.
    """
    args = ["--quiet", "--no-verify", "-m", subject]
    if allow_empty:
        args.insert(0, "--allow-empty")
    for key, value in (trailers or {}).items():
        args += ["--trailer", f"{key}: {value}"]
    try:
        repo.git.add("--all")
        with repo.git.custom_environment(**_identity_env(repo)):
            repo.git.commit(*args)
    except git.GitCommandError as error:
        raise GitError(f"git commit failed: {error.stderr.strip()}") from None
    return repo.head.commit.hexsha


CONFLICT_MARKERS = frozenset({b"<<<<<<< before updating", b">>>>>>> after updating"})
"""The inline conflict markers Copier's update leaves in a file it could not merge."""

PENDING_MESSAGE = "BACKENDGEN_MSG"
"""File under ``.git/`` holding the message of a commit a conflict held back."""


def changed_paths(repo: git.Repo) -> list[str]:
    """Paths the work tree changes against HEAD: modified, added, deleted or untracked.

    Args:
        repo: The project repository.

    Returns:
        Paths relative to the project, sorted.
    """
    listed = repo.git.status("--porcelain=v1", "-z", "--untracked-files=all")
    paths: set[str] = set()
    entries = iter(listed.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        paths.add(entry[3:])
        if entry[0] in "RC":  # a rename's source path follows
            next(entries, None)
    return sorted(paths)


def conflicted_paths(repo: git.Repo, paths: list[str]) -> list[str]:
    """Which of ``paths`` hold a merge conflict.

    A conflict is an unmerged index entry, Copier's inline markers, or a ``.rej`` file.

    Args:
        repo: The project repository.
        paths: Paths relative to the project (e.g. :func:`changed_paths`).

    Returns:
        The conflicted paths (a rejection is reported as the file it rejects), sorted.
    """
    root = Path(str(repo.working_tree_dir))
    unmerged = {line.split("\t", 1)[1] for line in repo.git.ls_files("-u").splitlines()}
    conflicted = {path for path in paths if path in unmerged}
    for path in paths:
        if path.endswith(".rej"):
            conflicted.add(path.removesuffix(".rej"))
            continue
        file = root / path
        if file.is_file() and not file.is_symlink():
            with file.open("rb") as lines:
                if any(line.rstrip() in CONFLICT_MARKERS for line in lines):
                    conflicted.add(path)
    return sorted(conflicted)


def commit_message(subject: str, trailers: Mapping[str, str]) -> str:
    """The full message :func:`commit_all` writes: the subject, a blank line, the trailers."""
    lines = [f"{key}: {value}" for key, value in trailers.items()]
    return f"{subject}\n\n" + "\n".join(lines) + "\n" if lines else f"{subject}\n"


def write_pending_message(repo: git.Repo, message: str) -> Path:
    """Keep a held-back commit's message in ``.git/BACKENDGEN_MSG`` for ``git commit -F``.

    Args:
        repo: The project repository.
        message: The full commit message (see :func:`commit_message`).

    Returns:
        The file's path.
    """
    path = Path(repo.git_dir) / PENDING_MESSAGE
    path.write_text(message, encoding="utf-8")
    return path
