"""What each agent tells the model, and the context it sends: only what that agent needs.

Context comes in levels of detail: level 0 is complete, each higher level drops detail
(descriptions, then field constraints, then whole lists) so an over-budget prompt can be
compressed before the agent falls back to its blueprint.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from backendgen.agents.core_backend import API_PREFIX, CoreBackendSpec, EntitySpec, EnumSpec
from backendgen.agents.spec_base import SlotSpec
from backendgen.questions.answers import Answers
from backendgen.questions.domain import DomainSpec

MAX_DETAIL_LEVEL = 2
"""The most compressed context level."""

SYSTEM_PROMPT = (
    "You are the {agent} agent of backendgen, a generator of production-grade backends. "
    "Your answer is one JSON object of the requested schema, and nothing else. "
    "Describe the domain, never a framework: no code, no library names. "
    "Only reference entities, fields, roles and endpoints that the context lists. {task}"
)

TASKS: dict[str, str] = {
    "core_backend": (
        "Design the domain model: entities with typed, constrained fields (string fields need "
        "max_length), enums, relationships and business rules. Keep every entity, field and "
        "enum of the given domain unchanged; you may add what the requirements need."
    ),
    "security_compliance": (
        "Define roles (the first is the administrator), a permission matrix per role and "
        "entity, the fields to encrypt at rest (personal or health data in string or text "
        "fields), retention policies, and the compliance controls of the chosen regimes, each "
        "mapped to the feature implementing it."
    ),
    "devops_infrastructure": (
        "Size the container and the autoscaling for the expected scale, list the environment "
        "variables the service reads (secrets without values), and the CI stages."
    ),
    "monitoring_observability": (
        "Define service-level objectives, Prometheus alerts on error rate, p95 latency, request "
        "rate or saturation (optionally per entity), dashboard panels and tracing settings."
    ),
    "documentation": (
        "Write the overview, the audience, architecture decisions, operational runbooks, API "
        "usage examples and a glossary for this service."
    ),
    "testing_qa": (
        "Give one valid create payload per entity (field values only, respecting every "
        "constraint), invalid payloads the API must reject with the reason, end-to-end "
        "scenarios, and a load profile."
    ),
}


def _entity_view(entity: EntitySpec, level: int) -> dict[str, Any]:
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


def _core_view(
    entities: list[EntitySpec], enums: list[EnumSpec], api_prefix: str, level: int
) -> dict[str, Any]:
    return {
        "entities": [_entity_view(e, level) for e in entities],
        "enums": [{"name": e.name, "values": e.values} for e in enums],
        "api_prefix": api_prefix,
    }


def _answers_view(answers: Answers, *keys: str) -> dict[str, Any]:
    data = answers.model_dump(mode="json")
    return {key: data[key] for key in keys if data.get(key) not in (None, "", [])}


ContextBuilder = Callable[[Answers, DomainSpec, Mapping[str, SlotSpec], int], dict[str, Any]]


def _core_context(
    answers: Answers, domain: DomainSpec, _upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    keys = ("project_description", "domain", "compliance", "scale", "requirements")
    return {
        "answers": _answers_view(answers, *keys),
        "domain": {
            "title": domain.title,
            **_core_view(domain.entities, domain.enums, API_PREFIX, level),
        },
    }


def _upstream_core(upstream: Mapping[str, SlotSpec]) -> CoreBackendSpec:
    core = upstream["core_backend"]
    if not isinstance(core, CoreBackendSpec):
        raise TypeError("core_backend context is not a CoreBackendSpec")
    return core


def _security_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    core = _upstream_core(upstream)
    entities = [
        {
            "name": e.name,
            "fields": [
                {"name": f.name, "type": f.type, "pii": f.pii, "phi": f.phi, "unique": f.unique}
                for f in e.fields
            ]
            if level < 2
            else [f.name for f in e.fields if f.pii or f.phi],
        }
        for e in core.entities
    ]
    return {"answers": _answers_view(answers, "auth", "compliance", "domain"), "entities": entities}


def _devops_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], _level: int
) -> dict[str, Any]:
    keys = ("scale", "deployment", "database", "auth", "ci_provider")
    return {
        "answers": _answers_view(answers, *keys),
        "entity_count": len(_upstream_core(upstream).entities),
    }


def _monitoring_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    core = _upstream_core(upstream)
    context: dict[str, Any] = {
        "answers": _answers_view(answers, "scale", "deployment"),
        "entities": [e.name for e in core.entities],
    }
    if level < 2:
        context["endpoints"] = core.endpoints()
    return context


def _documentation_context(
    answers: Answers, domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    core = _upstream_core(upstream)
    keys = ("project_name", "project_description", "database", "auth", "compliance", "scale")
    context: dict[str, Any] = {
        "answers": _answers_view(answers, *keys, "deployment", "requirements"),
        "domain": domain.title,
        "entities": [
            {"name": e.name, "description": e.description} if level == 0 else e.name
            for e in core.entities
        ],
    }
    monitoring = upstream.get("monitoring_observability")
    if monitoring is not None and level < 2:
        context["alerts"] = [a["name"] for a in monitoring.model_dump()["alerts"]]
    return context


def _testing_context(
    answers: Answers, _domain: DomainSpec, upstream: Mapping[str, SlotSpec], level: int
) -> dict[str, Any]:
    core = _upstream_core(upstream)
    view = _core_view(core.entities, core.enums, core.api_prefix, min(level, 1))
    return {"answers": _answers_view(answers, "scale"), **view}


CONTEXT_BUILDERS: dict[str, ContextBuilder] = {
    "core_backend": _core_context,
    "security_compliance": _security_context,
    "devops_infrastructure": _devops_context,
    "monitoring_observability": _monitoring_context,
    "documentation": _documentation_context,
    "testing_qa": _testing_context,
}


def build_messages(
    agent: str,
    answers: Answers,
    domain: DomainSpec,
    upstream: Mapping[str, SlotSpec],
    level: int = 0,
) -> list[dict[str, str]]:
    """Return the chat messages of one agent's request at a context detail level.

    Args:
        agent: Agent name.
        answers: The questionnaire's answers.
        domain: The domain spec.
        upstream: Specs of the agents this one depends on.
        level: 0 for full context, up to :data:`MAX_DETAIL_LEVEL` for the most compressed.

    Returns:
        System and user messages.
    """
    context = CONTEXT_BUILDERS[agent](answers, domain, upstream, level)
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(agent=agent, task=TASKS[agent])},
        {"role": "user", "content": json.dumps(context, separators=(",", ":"), sort_keys=True)},
    ]
