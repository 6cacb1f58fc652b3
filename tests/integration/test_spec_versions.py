"""Slot specs are versioned: a shape change without a version bump and a migration fails here.

``tests/spec_schemas/<agent>.v<N>.json`` holds the JSON Schema of every released version of
every spec. The current model must equal the snapshot of its current version, every version
above the first needs a migration from the one before, and the template's versions must be the
models'. To record a new version's snapshot, bump ``schema_version`` in the model and in
``template_extensions/slot_migrations.py``, register the migration, then run this file once
with ``BACKENDGEN_WRITE_SPEC_SNAPSHOTS=1`` (see docs/template-contract.md).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from backendgen.agents.registry import AGENTS, AgentDefinition, agent_named
from backendgen.errors import TemplateError, UserInputError
from backendgen.generator.spec_versions import (
    check_versions,
    current_version,
    dump_slot,
    load_slot,
    slot_migrations,
)

SNAPSHOTS = Path(__file__).parents[1] / "spec_schemas"
_SNAPSHOT_NAME = re.compile(r"^(?P<agent>[a-z_]+)\.v(?P<version>\d+)\.json$")


def _snapshot(agent: AgentDefinition, version: int) -> Path:
    return SNAPSHOTS / f"{agent.name}.v{version}.json"


@pytest.mark.parametrize("agent", AGENTS, ids=lambda a: a.name)
def test_every_spec_equals_the_snapshot_of_its_version(agent: AgentDefinition) -> None:
    schema = agent.spec_type.model_json_schema()
    path = _snapshot(agent, current_version(agent))
    if os.environ.get("BACKENDGEN_WRITE_SPEC_SNAPSHOTS") == "1" and not path.exists():
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    assert path.is_file(), (
        f"{agent.name} is at schema version {current_version(agent)} with no snapshot {path}"
    )
    assert json.loads(path.read_text()) == schema, (
        f"{agent.spec_type.__name__} changed shape without a new schema_version: bump it, "
        "register a migration in template_extensions/slot_migrations.py, write the snapshot"
    )


def _snapshot_versions() -> Iterator[tuple[AgentDefinition, int]]:
    for path in sorted(SNAPSHOTS.glob("*.json")):
        match = _SNAPSHOT_NAME.match(path.name)
        assert match, f"unexpected file {path}"
        yield agent_named(match["agent"]), int(match["version"])


def test_every_version_has_a_snapshot_and_a_migration_from_the_one_before() -> None:
    module = slot_migrations()
    seen = set(_snapshot_versions())
    for agent in AGENTS:
        for version in range(module.FIRST_VERSION, current_version(agent) + 1):
            assert (agent, version) in seen, f"{agent.name} v{version} has no snapshot"
            if version > module.FIRST_VERSION:
                assert (agent.slot, version - 1) in module.MIGRATIONS, (
                    f"no migration of {agent.slot} from v{version - 1} to v{version}"
                )
    assert all(version <= current_version(agent) for agent, version in seen)


def test_the_template_knows_the_versions_of_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    check_versions()
    module = slot_migrations()
    monkeypatch.setitem(module.SLOT_VERSIONS, "slot_testing_qa", 2)
    with pytest.raises(TemplateError, match="slot_testing_qa"):
        check_versions()


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The migrations module with slot_testing_qa at version 3 and two recorded steps."""
    module = slot_migrations()

    def rename(old: dict[str, Any], answers: Any) -> dict[str, Any]:
        old["renamed"] = old.pop("original")
        return old

    def derive(old: dict[str, Any], answers: Any) -> dict[str, Any]:
        return {**old, "derived": f"{old['renamed']} for {answers['project_name']}"}

    monkeypatch.setitem(module.SLOT_VERSIONS, "slot_testing_qa", 3)
    monkeypatch.setitem(module.MIGRATIONS, ("slot_testing_qa", 1), rename)
    monkeypatch.setitem(module.MIGRATIONS, ("slot_testing_qa", 2), derive)
    return module


def test_migrations_run_in_order_on_a_copy(chain: ModuleType) -> None:
    stored = {"original": "x"}  # answers from before versions were stored are version 1
    upgraded = chain.migrate_slot("slot_testing_qa", stored, {"project_name": "shop"})
    assert upgraded == {"renamed": "x", "derived": "x for shop", "schema_version": 3}
    assert stored == {"original": "x"}
    from_two = chain.migrate_slot(
        "slot_testing_qa", {"renamed": "y", "schema_version": 2}, {"project_name": "p"}
    )
    assert from_two == {"renamed": "y", "derived": "y for p", "schema_version": 3}
    assert chain.migrate_slot("slot_testing_qa", {}, {}) == {}


def test_a_missing_migration_is_an_error_not_a_silent_render(
    chain: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(chain.MIGRATIONS, ("slot_testing_qa", 2))
    with pytest.raises(chain.SlotVersionError, match="no migration of slot_testing_qa from"):
        chain.migrate_slot("slot_testing_qa", {"original": "x"}, {"project_name": "p"})


def test_the_render_hook_upgrades_every_slot_in_the_context(chain: ModuleType) -> None:
    context = {
        "project_name": "shop",
        "slot_testing_qa": {"original": "x"},
        "slot_documentation": {"overview": "o", "schema_version": 1},
        "slot_core_backend": {},
    }
    chain.migrate_answers(context)
    assert context["slot_testing_qa"]["derived"] == "x for shop"
    assert context["slot_documentation"] == {"overview": "o", "schema_version": 1}
    assert context["slot_core_backend"] == {}


@pytest.mark.parametrize("version", [99, 0, "2", True])
def test_a_newer_or_invalid_stored_version_is_refused_in_one_line(version: object) -> None:
    agent = agent_named("documentation")
    with pytest.raises(UserInputError) as caught:
        load_slot(agent, {"overview": "o", "schema_version": version}, {})
    message = str(caught.value)
    assert "\n" not in message
    assert "slot_documentation" in message
    if version == 99:
        assert "newer than the version 1 known here" in message


def test_stored_specs_round_trip_with_their_version(
    generated_projects: dict[str, Path],
) -> None:
    import yaml

    answers = yaml.safe_load((generated_projects["healthcare"] / ".copier-answers.yml").read_text())
    upstream: dict[str, Any] = {}
    for agent in AGENTS:
        stored = answers[agent.slot]
        assert stored["schema_version"] == current_version(agent)
        spec = load_slot(agent, stored, answers, upstream)
        assert dump_slot(agent, spec) == stored
        upstream[agent.name] = spec
