"""What every agent's task shares: the context views a prompt is built from.

Context comes in levels of detail: level 0 is complete, each higher level drops detail
(descriptions, then field constraints, then whole lists) so an over-budget prompt can be
compressed before the agent falls back to its blueprint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec, EnumSpec
from backendgen.agents.spec_base import SlotSpec
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

ContextBuilder = Callable[[Answers, DomainSpec, Mapping[str, SlotSpec], int], dict[str, Any]]
"""Builds an agent's prompt context from the answers, domain, upstream specs and a level."""


def entity_view(entity: EntitySpec, level: int) -> dict[str, Any]:
    """An entity as a prompt shows it at context detail ``level``."""
    if level >= 2:
        return {"name": entity.name, "fields": [f.name for f in entity.fields]}
    fields = [
        f.model_dump(exclude_defaults=True, exclude={"description"} if level else set())
        for f in entity.fields
    ]
    view: dict[str, Any] = {"name": entity.name, "fields": fields}
    if entity.relationships:
        view["relationships"] = [
            {"name": r.name, "target": r.target, "kind": r.kind} for r in entity.relationships
        ]
    if level == 0 and entity.description:
        view["description"] = entity.description
    return view


def core_view(
    entities: list[EntitySpec], enums: list[EnumSpec], api_prefix: str, level: int
) -> dict[str, Any]:
    """The entities, enums and API prefix as a prompt shows them at ``level``."""
    return {
        "entities": [entity_view(e, level) for e in entities],
        "enums": [{"name": e.name, "values": e.values} for e in enums],
        "api_prefix": api_prefix,
    }


def answers_view(answers: Answers, *keys: str) -> dict[str, Any]:
    """The answers named by ``keys`` that are set."""
    data = answers.model_dump(mode="json")
    return {key: data[key] for key in keys if data.get(key) not in (None, "", [])}


def upstream_core(upstream: Mapping[str, SlotSpec]) -> CoreBackendSpec:
    """The core spec among an agent's upstream specs.

    Raises:
        TypeError: If ``core_backend`` holds another spec.
    """
    core = upstream["core_backend"]
    if not isinstance(core, CoreBackendSpec):
        raise TypeError("core_backend context is not a CoreBackendSpec")
    return core


def default_context(
    answers: Answers, domain: DomainSpec, _upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    """The context of an agent that builds none of its own: the answers and the domain."""
    return {
        "answers": answers.model_dump(mode="json"),
        "domain": {"title": domain.title, **core_view(domain.entities, domain.enums, "", level)},
    }
