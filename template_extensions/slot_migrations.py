"""Versions of the slot specs and the migrations of stored answers between them.

Each ``slot_<agent>`` answer in a project's ``.copier-answers.yml`` carries the
``schema_version`` of the spec it was written with. When a release changes a spec's shape it
bumps that spec's version here (and in the spec model), and registers a migration from the
previous version: a pure function from the old answer to the new one, which may read the
project's other answers (the declared ``domain_spec``, the other slots) for defaults that need
domain knowledge.

The migrations ship with the template, so they run wherever the template renders:
:class:`SlotMigrationHook` upgrades the slots in the render context of every file, in plain
``copier copy`` and ``copier update`` as in backendgen. backendgen loads this same file to
upgrade a stored spec before it validates it (``backendgen.agents.spec_versions``). The
template therefore only ever sees current specs; the answers file keeps what was stored.

This module needs nothing but the standard library and copier-template-extensions.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from copier_template_extensions import ContextHook

Migration = Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]]
"""``migration(old_slot_answer, all_answers) -> new_slot_answer`` (the old one is a copy)."""

SLOT_VERSIONS: dict[str, int] = {
    "slot_core_backend": 3,
    "slot_security_compliance": 6,
    "slot_devops_infrastructure": 1,
    "slot_monitoring_observability": 1,
    "slot_documentation": 1,
    "slot_testing_qa": 1,
}
"""The current schema version of every slot spec (equal to each spec model's default)."""


def _ownership_paths(entities: list[Mapping[str, Any]], principal: str) -> list[dict[str, Any]]:
    """Entities leading to ``principal`` through relationships, by shortest path (stdlib)."""
    paths: dict[str, list[str]] = {principal: []}
    queue = [principal]
    while queue:
        target = queue.pop(0)
        for entity in entities:
            for relationship in entity.get("relationships", []):
                if relationship.get("target") == target and entity["name"] not in paths:
                    paths[entity["name"]] = [relationship["name"], *paths[target]]
                    queue.append(entity["name"])
    order = [e["name"] for e in entities]
    return [{"entity": n, "via": paths[n]} for n in sorted(paths, key=order.index)]


def security_v1_to_v2(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Add ``auth.registration`` and ``row_scopes`` to a v1 security answer.

    Registration becomes ``closed`` whatever v1 did (v1 let anyone sign up): an upgraded
    project must open it on purpose. Row scopes need domain knowledge v1 never stored, so they
    are derived from ``slot_core_backend`` as the v2 blueprint derives them by default: a
    non-administrator role named like an entity (``customer`` -> ``Customer``) is limited to
    the rows that lead to its own record through relationships. Other roles keep the matrix
    alone; without a core answer no role is scoped.

    Args:
        old: The v1 answer (a copy).
        answers: Every answer of the project; ``slot_core_backend`` is read.

    Returns:
        The v2 answer.
    """
    auth = dict(old.get("auth") or {})
    auth["registration"] = "closed"
    core = answers.get("slot_core_backend")
    entities = list(core.get("entities", [])) if isinstance(core, Mapping) else []
    by_module = {e.get("module"): e["name"] for e in entities if "name" in e}
    roles = [r["name"] for r in old.get("roles", []) if isinstance(r, Mapping) and "name" in r]
    scopes = [
        {
            "role": role,
            "principal": by_module[role],
            "owned": _ownership_paths(entities, by_module[role]),
        }
        for role in roles[1:]
        if role in by_module
    ]
    return {**old, "auth": auth, "row_scopes": scopes}


def security_v2_to_v3(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Add ``audit_readers`` to a v2 security answer: none, so only administrators read the log.

    Args:
        old: The v2 answer (a copy).
        answers: Every answer of the project (unused: the closed default needs no domain).

    Returns:
        The v3 answer.
    """
    del answers
    return {**old, "audit_readers": []}


HIPAA_DOCUMENTATION = "164.316(b)(2)"
"""The HIPAA control that keeps documentation six years (v3 mapped it to deleting records)."""


def security_v3_to_v4(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a v3 security answer to v4: new controls off, erasure cascades derived.

    The SOX controls, HIPAA minimum necessary, blind indexes and the card-number guard are
    off (no entries, ``blind_index``/``pci`` false, ``pan_guard`` false), as v3 enforced none
    of them: which records are final, which actions need a second person and which PHI a role
    does not need is domain knowledge v3 never stored, and v3 encrypted only non-unique string
    and text fields, so none needs an index. Regenerating the security slot derives them.

    Each relationship of ``slot_core_backend`` gets the v4 blueprint's erasure cascade: a
    row's first relationship to an entity with personal fields anonymises it when that subject
    is erased, its other relationships keep it (an encounter is its patient's data, not its
    practitioner's). With a HIPAA control, records are kept at least six years, and the HIPAA
    documentation control moves from ``retention`` (which deleted records) to
    ``documentation_retention`` (which keeps them).

    Args:
        old: The v3 answer (a copy).
        answers: Every answer of the project; ``slot_core_backend`` is read.

    Returns:
        The v4 answer.
    """
    fields = [
        {"blind_index": False, "pci": False, **item}
        for item in old.get("encrypted_fields", [])
        if isinstance(item, Mapping)
    ]
    core = answers.get("slot_core_backend")
    entities = list(core.get("entities", [])) if isinstance(core, Mapping) else []
    personal = {
        e["name"]
        for e in entities
        if any(f.get("pii") or f.get("phi") for f in e.get("fields", []))
    }
    cascades = []
    for entity in entities:
        relationships = list(entity.get("relationships", []))
        owner = next((r["name"] for r in relationships if r.get("target") in personal), None)
        cascades += [
            {
                "entity": entity["name"],
                "relationship": r["name"],
                "action": "anonymize" if owner in (None, r["name"]) else "keep",
            }
            for r in relationships
        ]
    controls = [dict(c) for c in old.get("controls", []) if isinstance(c, Mapping)]
    hipaa = any(c.get("regime") == "hipaa" for c in controls)
    for control in controls:
        if control.get("regime") == "hipaa" and control.get("control_id") == HIPAA_DOCUMENTATION:
            control["feature"] = "documentation_retention"
    return {
        **old,
        "controls": controls,
        "erasure_cascades": cascades,
        "documentation_retention_days": 2190 if hipaa else 0,
        "encrypted_fields": fields,
        "pan_guard": False,
        "sox_immutable_records": [],
        "sox_maker_checker": [],
        "sox_distinct_references": [],
        "hipaa_minimum_necessary": [],
    }


def security_v4_to_v5(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a v4 security answer to v5: break-glass closed.

    v4 had no emergency access, so no role may break glass after the upgrade (``roles`` empty,
    lifetimes and reason length at their defaults): which roles may is a decision the project
    makes on purpose, by regenerating the security slot or editing the answer.

    Args:
        old: The v4 answer (a copy).
        answers: Every answer of the project (unused).

    Returns:
        The v5 answer.
    """
    del answers
    return {
        **old,
        "break_glass": {
            "roles": [],
            "default_minutes": 60,
            "max_minutes": 240,
            "reason_min_length": 20,
        },
    }


def security_v5_to_v6(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a v5 security answer to v6: PCI tokenisation closed.

    v5 tokenised nothing (a card-token field held the processor's token, and a PAN in it was
    refused), so no field is tokenised after the upgrade, no role may detokenise, the mask
    shows the last four digits only and each submission would get a new token. Which fields
    take card numbers is a decision the project makes on purpose, by regenerating the security
    slot or editing the answer.

    Args:
        old: The v5 answer (a copy).
        answers: Every answer of the project (unused).

    Returns:
        The v6 answer.
    """
    del answers
    return {
        **old,
        "pci_tokenization": {
            "fields": [],
            "mask": "last4",
            "detokenize_roles": [],
            "deterministic": False,
        },
    }


def core_v1_to_v2(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a v1 core answer to v2: unchanged, since v2 only relaxed two lower bounds.

    Version 2 accepts entities without fields and a spec without entities; every v1 answer
    is a valid v2 answer as it is.

    Args:
        old: The v1 answer (a copy).
        answers: Every answer of the project (unused).

    Returns:
        The v2 answer.
    """
    del answers
    return old


def core_v2_to_v3(old: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Bring a v2 core answer to v3: each entity's rules, sentences in v2, become prose rules.

    v2 rules were prose the backend never enforced; as ``{"kind": "prose", ...}`` they stay
    documentation. Declarative ranges, comparisons and transitions need domain knowledge v2
    never stored; regenerating the core slot (or declaring them) adds them.

    Args:
        old: The v2 answer (a copy).
        answers: Every answer of the project (unused).

    Returns:
        The v3 answer.
    """
    del answers
    entities = []
    for entity in old.get("entities", []):
        if isinstance(entity, Mapping):
            rules = [
                {"kind": "prose", "description": rule} if isinstance(rule, str) else rule
                for rule in entity.get("rules", [])
            ]
            entities.append({**entity, "rules": rules})
        else:
            entities.append(entity)
    return {**old, "entities": entities}


MIGRATIONS: dict[tuple[str, int], Migration] = {
    ("slot_core_backend", 1): core_v1_to_v2,
    ("slot_core_backend", 2): core_v2_to_v3,
    ("slot_security_compliance", 1): security_v1_to_v2,
    ("slot_security_compliance", 2): security_v2_to_v3,
    ("slot_security_compliance", 3): security_v3_to_v4,
    ("slot_security_compliance", 4): security_v4_to_v5,
    ("slot_security_compliance", 5): security_v5_to_v6,
}
"""``(slot, from_version) -> migration`` to ``from_version + 1``; one per version bump."""

FIRST_VERSION = 1
"""The version of answers stored before versions were tracked (release v0.1.0 and earlier)."""


class SlotVersionError(ValueError):
    """A stored slot answer cannot be brought to the current version."""


def stored_version(slot: str, answer: Mapping[str, Any]) -> int:
    """Return the schema version a stored slot answer was written with.

    Args:
        slot: The answer's name, e.g. ``slot_core_backend``.
        answer: The stored answer.

    Returns:
        Its ``schema_version``, or :data:`FIRST_VERSION` when it has none.

    Raises:
        SlotVersionError: For a version that is not a positive whole number.
    """
    version = answer.get("schema_version", FIRST_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < FIRST_VERSION:
        raise SlotVersionError(f"{slot} has an invalid schema_version {version!r}")
    return version


def migrate_slot(
    slot: str, answer: Mapping[str, Any], answers: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Bring one stored slot answer to the current version of its spec.

    Args:
        slot: The answer's name, e.g. ``slot_core_backend``.
        answer: The stored answer (left unchanged).
        answers: Every answer of the project, for migrations that derive defaults.

    Returns:
        The answer itself when it is empty or already current (renders call this for every
        file, so nothing is copied then), else a migrated copy.

    Raises:
        SlotVersionError: For an unknown slot, a version newer than this template knows, or a
            missing migration.
    """
    if slot not in SLOT_VERSIONS:
        raise SlotVersionError(f"unknown slot '{slot}'")
    current = SLOT_VERSIONS[slot]
    version = stored_version(slot, answer) if answer else current
    if version == current:
        return answer if isinstance(answer, dict) else dict(answer)
    if version > current:
        raise SlotVersionError(
            f"{slot} was written with schema version {version}, newer than the version "
            f"{current} known here; upgrade backendgen and its template first"
        )
    upgraded = copy.deepcopy(dict(answer))
    while version < current:
        migration = MIGRATIONS.get((slot, version))
        if migration is None:
            raise SlotVersionError(f"no migration of {slot} from schema version {version}")
        upgraded = migration(upgraded, answers or {})
        version += 1
        upgraded["schema_version"] = version
    return upgraded


def migrate_answers(answers: MutableMapping[str, Any]) -> None:
    """Bring every slot answer in ``answers`` to its current version, in place.

    Args:
        answers: A project's answers (or a render context holding them).

    Raises:
        SlotVersionError: As :func:`migrate_slot`.
    """
    snapshot: Mapping[str, Any] | None = None
    for slot, current in SLOT_VERSIONS.items():
        value = answers.get(slot)
        if isinstance(value, Mapping) and value and stored_version(slot, value) != current:
            snapshot = snapshot if snapshot is not None else dict(answers)
            answers[slot] = migrate_slot(slot, value, snapshot)


class SlotMigrationHook(ContextHook):
    """Upgrades the slot answers in Copier's render context before each file renders."""

    def hook(self, context: dict[str, Any]) -> None:
        """Replace each stored slot answer in ``context`` by its current-version form."""
        migrate_answers(context)
