"""The scaffold of a new project: the template rendered with empty slots, and its first commit.

With every answer known beforehand (the CLI's questionnaire collects them all), the scaffold
is laid while the agents already wait on their models: nothing an agent reads comes from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git
import yaml

from backendgen.agents.registry import AGENT_SLOTS
from backendgen.errors import UserInputError
from backendgen.generator.git_repo import commit_all, init_repository
from backendgen.generator.render import render
from backendgen.generator.template_source import TemplateRef
from backendgen.questions.answers import Answers, parse_answers
from backendgen.questions.domain import DomainSpec

DESIGNED_DOMAIN_FILE = Path("domain.yml")
"""Where a domain designed from ``--describe`` is saved in the project (a ``--domain`` file)."""


@dataclass(frozen=True)
class Scaffold:
    """A project's scaffold, committed.

    Attributes:
        recorded: The answers Copier recorded (with its private ``_src_path``, ``_commit``).
        answers: The validated answers.
        repo: The project's new repository.
        ref: The template version the scaffold came from.
    """

    recorded: dict[str, Any]
    answers: Answers
    repo: git.Repo
    ref: str


def empty_slots() -> dict[str, Any]:
    """Return every agent slot's answer before its agent has run."""
    return {slot: {} for slot in AGENT_SLOTS}


def known_answers(given: Mapping[str, Any], *, interactive: bool) -> Answers | None:
    """Return the answers when ``given`` already holds every one, else None (Copier fills in).

    Args:
        given: The checked answers.
        interactive: Copier asks the unanswered questions: nothing is known before it has.
    """
    if interactive:
        return None
    try:
        return parse_answers(given)
    except UserInputError:
        return None


def lay_scaffold(
    project: Path,
    template: TemplateRef,
    given: Mapping[str, Any],
    *,
    interactive: bool,
    before_commit: Callable[[], None] = lambda: None,
) -> Scaffold:
    """Render the template with empty slots into ``project``, then commit it.

    Args:
        project: The (staged) project directory.
        template: The template and version to render.
        given: The answers; Copier supplies defaults for the missing ones.
        interactive: Copier asks the unanswered questions on the terminal.
        before_commit: Writes what belongs in the scaffold commit besides the render (e.g. a
            designed domain file).

    Returns:
        The committed scaffold.
    """
    recorded = render(project, template, {**given, **empty_slots()}, interactive=interactive)
    answers = parse_answers(recorded)
    before_commit()
    repo = init_repository(project)
    ref = str(recorded.get("_commit") or template.vcs_ref or "working tree")
    commit_all(repo, f"chore: scaffold {answers.project_name} from backendgen template {ref}")
    return Scaffold(recorded, answers, repo, ref)


def save_designed_domain(path: Path, domain: DomainSpec) -> None:
    """Write a designed domain as a YAML domain file (``--domain`` reads it back as is)."""
    data = domain.model_dump(mode="json", exclude_defaults=True)
    path.write_text(
        "# Designed by the core agent from --describe; edit it and regenerate with\n"
        f"# backendgen new DEST --domain {path.name}\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
