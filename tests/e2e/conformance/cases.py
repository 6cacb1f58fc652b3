"""The answers the suite serves, per framework, and the cases it derives from their specs.

Test ids are fixed at collection time, before any project exists, so they are derived from the
agents' blueprints for the same answers (offline, in process); a test then checks that the
served project's own specs (``.copier-answers.yml``) give exactly the same cases.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.registry import AGENTS
from backendgen.agents.spec_base import SlotSpec
from backendgen.questions.domain import load_catalogue_domain
from backendgen.renderers.controls import control_gaps
from tests.conftest import PROJECTS
from tests.e2e.attack.specs import Specs
from tests.helpers import SHOP_ANSWERS

CONFORMANCE_FRAMEWORKS: tuple[str, ...] = ("fastapi", "django")
"""Frameworks whose output the suite serves, each from the same answers."""

ACTIONS = ("create", "read", "update", "delete")
"""The actions of the permission matrix."""


@dataclass(frozen=True)
class Answers:
    """One set of answers the suite generates a project of, for every framework."""

    name: str
    """Name of the project in :data:`tests.conftest.PROJECTS` (generated once per run)."""
    domain: str
    """Catalogue domain."""
    compliance: tuple[str, ...]
    """Compliance regimes (as the ``backendgen new`` options select them)."""


CONFORMANCE_ANSWERS: tuple[Answers, ...] = (
    Answers("defaults", "ecommerce", ("gdpr",)),
    Answers("healthcare", "healthcare", ("gdpr", "hipaa")),
)
"""E-commerce defaults, and healthcare with HIPAA and GDPR (row scopes, minimum necessary)."""


def project_name(framework: str, answers: Answers) -> str:
    """The shared project's name: FastAPI's is the suite's own, others get a suffix."""
    return answers.name if framework == "fastapi" else f"{answers.name}-{framework}"


def project_args(framework: str, answers: Answers) -> list[str]:
    """``backendgen new`` options of the project (the suite's own, plus the framework)."""
    args = [*PROJECTS[answers.name], "-d", f"framework={framework}"]
    if control_gaps(framework, answers.compliance):
        args += ["-d", "accept_control_gaps=true"]
    return args


@functools.cache
def blueprint_specs(answers: Answers) -> Specs:
    """The blueprints' specs for ``answers``, as a project's answers file holds them."""
    given = SHOP_ANSWERS.model_copy(
        update={"domain": answers.domain, "compliance": list(answers.compliance)}
    )
    domain = load_catalogue_domain(answers.domain)
    specs: dict[str, SlotSpec] = {}
    for agent in AGENTS:
        upstream = {name: specs[name] for name in agent.depends_on}
        specs[agent.name] = agent.blueprint(BlueprintInput(given, domain, upstream))
    data: dict[str, Any] = {
        agent.slot: specs[agent.name].model_dump(mode="json") for agent in AGENTS
    }
    return Specs(data)


@dataclass(frozen=True)
class Cell:
    """One cell of the permission matrix, and what the specs say of it."""

    role: str
    entity: str
    action: str
    allowed: bool
    """Whether the role may do the action (on its own rows, for a role limited to them)."""

    @property
    def id(self) -> str:
        """The cell's name in test ids."""
        return f"{self.role}-{self.entity}-{self.action}"


def owned_path(specs: Specs, role: str, entity: str) -> list[str] | None:
    """The relationships leading from ``entity`` to ``role``'s principal, or ``None``
    when the role is not limited to its own rows of ``entity``."""
    for scope in specs.security.get("row_scopes", []):
        if scope["role"] == role:
            for owned in scope["owned"]:
                if owned["entity"] == entity:
                    return list(owned["via"])
    return None


def principal_of(specs: Specs, role: str) -> str | None:
    """The principal entity of a role limited to its own rows (``None`` otherwise)."""
    for scope in specs.security.get("row_scopes", []):
        if scope["role"] == role:
            return str(scope["principal"])
    return None


def matrix(specs: Specs) -> list[Cell]:
    """Every role x entity x action cell of the specs.

    A role limited to its own rows never creates records of its principal entity (the row
    would be nobody's): that cell is denied whatever the matrix grants.
    """
    cells = []
    for role in (r["name"] for r in specs.security.get("roles", [])):
        for entity in (e["name"] for e in specs.core["entities"]):
            granted = specs.actions(role, entity)
            for action in ACTIONS:
                allowed = action in granted
                if action == "create" and owned_path(specs, role, entity) == []:
                    allowed = False
                cells.append(Cell(role, entity, action, allowed))
    return cells


def _marks(
    framework: str, answers: Answers, group: str = "conformance"
) -> list[pytest.MarkDecorator]:
    group = f"{group}-{project_name(framework, answers)}"
    return [pytest.mark.slow, pytest.mark.xdist_group(group)]


SERVED: tuple[tuple[str, Answers], ...] = tuple(
    (framework, answers) for framework in CONFORMANCE_FRAMEWORKS for answers in CONFORMANCE_ANSWERS
)
"""Every served project, ``(framework, answers)``: one object each, since pytest tells the
parameters of a session fixture apart by identity (a new equal tuple would serve again)."""


def _id(served: tuple[str, Answers]) -> str:
    return f"{served[0]}-{served[1].name}"


def served(group: str = "conformance") -> Iterator[Any]:
    """One parameter per served project: ``(framework, answers)``, in the xdist ``group`` of
    the project (its shared server's by default)."""
    for each in SERVED:
        yield pytest.param(each, id=_id(each), marks=_marks(*each, group=group))


def per_entity() -> Iterator[Any]:
    """One parameter per served project and entity: ``((framework, answers), entity)``."""
    for each in SERVED:
        for entity in blueprint_specs(each[1]).core["entities"]:
            yield pytest.param(
                each, entity["name"], id=f"{_id(each)}-{entity['name']}", marks=_marks(*each)
            )


def per_cell() -> Iterator[Any]:
    """One parameter per served project and matrix cell: ``((framework, answers), cell)``."""
    for each in SERVED:
        for cell in matrix(blueprint_specs(each[1])):
            yield pytest.param(each, cell, id=f"{_id(each)}-{cell.id}", marks=_marks(*each))
