"""What ``backendgen report`` shows, read from one generated project.

The generation's own figures come from ``.backendgen/report.json`` (written by ``backendgen
new``: per agent source, tokens, cost, retries, fallback reason and when it ran); the domain and
the permission matrix from ``.copier-answers.yml``; each agent commit and the files it changed
from the project's git history (the ``Backendgen-*`` trailers). A project whose report file is
gone still reports, from its commit trailers alone, without a timeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backendgen.errors import UserInputError
from backendgen.llm.report import REPORT_PATH

ANSWERS_FILE = ".copier-answers.yml"
ACTIONS = ("create", "read", "update", "delete")
"""The permission matrix's columns, in order."""


@dataclass(frozen=True)
class AgentRun:
    """One agent of the generation: where its spec came from and what it cost."""

    name: str
    source: str
    model: str
    fallback_reason: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    seconds: float
    requests: int
    retries: int
    commit: str
    started_s: float | None = None
    ready_s: float | None = None
    finished_s: float | None = None

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class CommitInfo:
    """One agent commit of the project's history and the files it changed."""

    sha: str
    agent: str
    subject: str
    source: str
    fallback_reason: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class Relation:
    """A reference from one entity to another."""

    source: str
    target: str
    name: str
    kind: str


@dataclass(frozen=True)
class Entity:
    """An entity of the domain with its fields as ``(name, type)``."""

    name: str
    fields: tuple[tuple[str, str], ...]


@dataclass
class ProjectReport:
    """Everything the report shows about one generated project."""

    project: str
    provider: str
    template_ref: str
    seconds: float
    agents: list[AgentRun] = field(default_factory=list)
    commits: list[CommitInfo] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    permissions: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    """``(role, entity)`` to the actions the role may take on it."""

    @property
    def has_timeline(self) -> bool:
        """Whether every agent has its start and finish times."""
        return bool(self.agents) and all(
            a.started_s is not None and a.finished_s is not None for a in self.agents
        )

    def lanes(self) -> list[int]:
        """A lane per agent (in ``agents`` order): agents that overlap in time get different ones.

        Returns:
            The lane index of each agent; 0 for all when there is no timeline.
        """
        if not self.has_timeline:
            return [0] * len(self.agents)
        ends: list[float] = []
        lanes = [0] * len(self.agents)
        for index in sorted(range(len(self.agents)), key=lambda i: self.agents[i].started_s or 0):
            agent = self.agents[index]
            start = agent.started_s or 0.0
            lane = next((i for i, end in enumerate(ends) if end <= start), len(ends))
            if lane == len(ends):
                ends.append(0.0)
            ends[lane] = agent.finished_s or start
            lanes[index] = lane
        return lanes


def _agent_run(data: dict[str, Any]) -> AgentRun:
    def number(key: str) -> float | None:
        value = data.get(key)
        return float(value) if isinstance(value, int | float) else None

    return AgentRun(
        name=str(data.get("name", "")),
        source=str(data.get("source", "")),
        model=str(data.get("model", "")),
        fallback_reason=str(data.get("fallback_reason") or ""),
        prompt_tokens=int(data.get("prompt_tokens", 0)),
        completion_tokens=int(data.get("completion_tokens", 0)),
        cost_usd=float(data.get("cost_usd", 0.0)),
        seconds=float(data.get("seconds", 0.0)),
        requests=int(data.get("requests", 0)),
        retries=int(data.get("retries", 0)),
        commit=str(data.get("commit", "")),
        started_s=number("started_s"),
        ready_s=number("ready_s"),
        finished_s=number("finished_s"),
    )


def _from_trailers(commits: list[Any]) -> list[AgentRun]:
    """One run per agent, from its first commit's trailers (no timeline)."""
    runs: dict[str, AgentRun] = {}
    for entry in commits:
        if entry.agent in runs:
            continue
        prompt, _, completion = entry.tokens.partition("+")
        runs[entry.agent] = AgentRun(
            name=entry.agent,
            source=entry.source,
            model=entry.model,
            fallback_reason=entry.fallback_reason,
            prompt_tokens=int(prompt or 0),
            completion_tokens=int(completion or 0),
            cost_usd=float(entry.cost_usd or 0.0),
            seconds=0.0,
            requests=0,
            retries=0,
            commit=entry.sha,
        )
    return list(runs.values())


def _domain(answers: dict[str, Any]) -> tuple[list[Entity], list[Relation]]:
    domain = answers.get("domain_spec") or answers.get("slot_core_backend") or {}
    entities: list[Entity] = []
    relations: list[Relation] = []
    for entity in domain.get("entities") or []:
        name = str(entity.get("name", ""))
        fields = tuple(
            (str(f.get("name", "")), str(f.get("enum") or f.get("type", "")))
            for f in entity.get("fields") or []
        )
        entities.append(Entity(name, fields))
        relations.extend(
            Relation(name, str(r.get("target", "")), str(r.get("name", "")), str(r.get("kind")))
            for r in entity.get("relationships") or []
        )
    return entities, relations


def _permissions(
    answers: dict[str, Any],
) -> tuple[list[str], dict[tuple[str, str], frozenset[str]]]:
    security = answers.get("slot_security_compliance") or {}
    roles = [str(role.get("name", "")) for role in security.get("roles") or []]
    matrix: dict[tuple[str, str], frozenset[str]] = {}
    for grant in security.get("permissions") or []:
        key = (str(grant.get("role", "")), str(grant.get("entity", "")))
        matrix[key] = matrix.get(key, frozenset()) | frozenset(map(str, grant.get("actions", [])))
    return roles, matrix


def _commits(project: Path) -> tuple[list[CommitInfo], list[Any]]:
    import git

    from backendgen.generator.history import agent_commits

    repo = git.Repo(project)
    entries = agent_commits(repo)
    infos = [
        CommitInfo(
            sha=entry.sha,
            agent=entry.agent,
            subject=entry.subject,
            source=entry.source,
            fallback_reason=entry.fallback_reason,
            files=tuple(sorted(str(path) for path in repo.commit(entry.sha).stats.files)),
        )
        for entry in entries
    ]
    return infos, entries


def load_project_report(project: Path) -> ProjectReport:
    """Read what the report shows from a generated project.

    Args:
        project: The generated project's directory.

    Returns:
        The report's data.

    Raises:
        UserInputError: When ``project`` is not a project generated by backendgen, or its
            answers or report file do not parse.
    """
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file() or not (project / ".git").is_dir():
        raise UserInputError(f"{project} is not a project generated by backendgen")
    try:
        answers = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        raise UserInputError(f"{answers_path}: answers file is not valid YAML") from None
    if not isinstance(answers, dict):
        raise UserInputError(f"{answers_path}: answers file is not a mapping")
    commits, entries = _commits(project)
    raw: dict[str, Any] = {}
    report_path = project / REPORT_PATH
    if report_path.is_file():
        try:
            raw = json.loads(report_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise UserInputError(f"{report_path}: report file is not valid JSON") from None
        if not isinstance(raw, dict):
            raise UserInputError(f"{report_path}: report file is not a JSON object")
    agents = [_agent_run(item) for item in raw.get("agents") or [] if isinstance(item, dict)]
    entities, relations = _domain(answers)
    roles, matrix = _permissions(answers)
    return ProjectReport(
        project=str(raw.get("project") or answers.get("project_name") or project.name),
        provider=str(raw.get("provider") or "unknown"),
        template_ref=str(raw.get("template_ref") or answers.get("_commit") or ""),
        seconds=float(raw.get("seconds") or 0.0),
        agents=agents or _from_trailers(entries),
        commits=commits,
        entities=entities,
        relations=relations,
        roles=roles,
        permissions=matrix,
    )
