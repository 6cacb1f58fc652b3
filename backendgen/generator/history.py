"""The agents' history in a generated project, read from the ``Backendgen-*`` commit trailers.

Every agent commit (generation, ``regenerate``, ``revert``, downstream re-runs) names its agent
in a ``Backendgen-Agent`` trailer; ``backendgen log`` lists them, and ``revert`` finds in them
the spec an agent's slot held before its latest change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import git
import yaml

from backendgen.errors import GitError
from backendgen.generator.render import ANSWERS_FILE


@dataclass(frozen=True)
class AgentCommit:
    """One agent commit, as its trailers describe it."""

    sha: str
    date: str
    """Commit date, ISO 8601."""
    agent: str
    source: str
    model: str
    tokens: str
    """``prompt+completion``."""
    cost_usd: str
    files_changed: int
    subject: str
    fallback_reason: str = ""
    reverts: str = ""
    """The commit a ``revert`` undid, when this is one."""

    def to_dict(self) -> dict[str, Any]:
        """The commit as JSON data."""
        return asdict(self)


def _trailer(commit: git.Commit, key: str) -> str:
    values = commit.trailers_dict.get(key) or [""]
    return str(values[-1])


def agent_commits(repo: git.Repo, agent: str | None = None) -> list[AgentCommit]:
    """The agent commits reachable from HEAD, oldest first.

    Args:
        repo: The project repository.
        agent: Only this agent's commits, or None for every agent.

    Returns:
        One entry per commit with a ``Backendgen-Agent`` trailer.
    """
    found: list[AgentCommit] = []
    for commit in repo.iter_commits("HEAD", reverse=True):
        name = _trailer(commit, "Backendgen-Agent")
        if not name or (agent is not None and name != agent):
            continue
        found.append(
            AgentCommit(
                sha=commit.hexsha,
                date=commit.committed_datetime.isoformat(),
                agent=name,
                source=_trailer(commit, "Backendgen-Source"),
                model=_trailer(commit, "Backendgen-Model"),
                tokens=_trailer(commit, "Backendgen-Tokens"),
                cost_usd=_trailer(commit, "Backendgen-Cost-USD"),
                files_changed=int(commit.stats.total["files"]),
                subject=str(commit.summary),
                fallback_reason=_trailer(commit, "Backendgen-Fallback-Reason"),
                reverts=_trailer(commit, "Backendgen-Reverts"),
            )
        )
    return found


def answers_at(repo: git.Repo, rev: str) -> dict[str, Any]:
    """The answers ``.copier-answers.yml`` held at commit ``rev`` (empty when it had none)."""
    try:
        text = repo.git.show(f"{rev}:{ANSWERS_FILE}")
    except git.GitCommandError:
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True)
class SlotChange:
    """An agent's latest commit that changed its slot, and what the slot held before it."""

    commit: AgentCommit
    previous: dict[str, Any]
    """The slot before ``commit``; empty when ``commit`` was the agent's first."""
    restored_from: AgentCommit | None
    """The earlier agent commit that produced ``previous``, when one did."""


def latest_slot_change(repo: git.Repo, agent: str, slot: str) -> SlotChange | None:
    """Find the newest commit of ``agent`` that changed ``slot``, and the value before it.

    Args:
        repo: The project repository.
        agent: The agent's name.
        slot: Its Copier answer, ``slot_<agent>``.

    Returns:
        The change, or None when no commit of the agent changed its slot.

    Raises:
        GitError: When an agent commit has no parent (not a backendgen history).
    """
    commits = agent_commits(repo, agent)
    for index in range(len(commits) - 1, -1, -1):
        commit = commits[index]
        parents = repo.commit(commit.sha).parents
        if not parents:
            raise GitError(f"agent commit {commit.sha[:10]} has no parent")
        after = answers_at(repo, commit.sha).get(slot) or {}
        before = answers_at(repo, parents[0].hexsha).get(slot) or {}
        if after == before:
            continue
        restored_from = None
        if before:
            restored_from = next(
                (
                    older
                    for older in reversed(commits[:index])
                    if (answers_at(repo, older.sha).get(slot) or {}) == before
                ),
                None,
            )
        return SlotChange(commit, before, restored_from)
    return None
