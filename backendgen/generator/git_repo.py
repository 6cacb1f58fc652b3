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


def commit_all(repo: git.Repo, subject: str, trailers: Mapping[str, str] | None = None) -> str:
    """Stage every change and commit it with ``subject`` and git trailers.

    Args:
        repo: The project repository.
        subject: Conventional-commit subject line.
        trailers: ``Key: value`` trailers appended to the message.

    Returns:
        The new commit's SHA.
    """
    args = ["--quiet", "--allow-empty", "--no-verify", "-m", subject]
    for key, value in (trailers or {}).items():
        args += ["--trailer", f"{key}: {value}"]
    try:
        repo.git.add("--all")
        with repo.git.custom_environment(**_identity_env(repo)):
            repo.git.commit(*args)
    except git.GitCommandError as error:
        raise GitError(f"git commit failed: {error.stderr.strip()}") from None
    return repo.head.commit.hexsha
