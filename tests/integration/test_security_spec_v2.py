"""security_compliance v2: a v0.1.0 answer migrates to a valid v2 spec and a working project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.registry import agent_named
from backendgen.agents.security_compliance import SecurityComplianceSpec
from backendgen.generator.spec_versions import load_slot, slot_migrations
from tests.helpers import plain_copier_copy, run_project_tests

SHOP = Path(__file__).parents[1] / "releases" / "v0.1.0" / "shop.yml"


@pytest.fixture(scope="module")
def shop() -> dict[str, Any]:
    """The answers backendgen v0.1.0 stored for a shop."""
    answers: dict[str, Any] = yaml.safe_load(SHOP.read_text())
    return answers


def _migrated(shop: dict[str, Any]) -> tuple[CoreBackendSpec, SecurityComplianceSpec]:
    core = load_slot(agent_named("core_backend"), shop["slot_core_backend"], shop)
    assert isinstance(core, CoreBackendSpec)
    security = load_slot(
        agent_named("security_compliance"),
        shop["slot_security_compliance"],
        shop,
        context={"core_backend": core},
    )
    assert isinstance(security, SecurityComplianceSpec)
    return core, security


def test_a_v1_answer_migrates_to_a_valid_closed_v2_spec(shop: dict[str, Any]) -> None:
    assert shop["slot_security_compliance"]["schema_version"] == 1
    core, security = _migrated(shop)
    assert security.schema_version == 6
    assert security.pci_tokenization.fields == []
    assert security.pci_tokenization.detokenize_roles == []
    assert security.break_glass.roles == []
    assert security.auth.registration == "closed"
    assert security.audit_readers == []
    assert security.sox_immutable_records == security.sox_maker_checker == []
    assert security.sox_distinct_references == []
    assert security.pan_guard is False
    assert all(not (f.blind_index or f.pci) for f in security.encrypted_fields)
    modules = {entity.module: entity.name for entity in core.entities}
    roles = [role.name for role in security.roles]
    assert [s.role for s in security.row_scopes] == [r for r in roles[1:] if r in modules]
    for scope in security.row_scopes:
        assert scope.principal == modules[scope.role]
        reachable = {
            e.name for e in core.entities for r in e.relationships if r.target == scope.principal
        }
        owned = {o.entity for o in scope.owned}
        assert {scope.principal} | reachable <= owned


def test_the_migration_keeps_every_v1_field(shop: dict[str, Any]) -> None:
    stored = shop["slot_security_compliance"]
    upgraded = slot_migrations().migrate_slot("slot_security_compliance", stored, shop)
    for key, value in stored.items():
        if key == "auth":
            assert {**value, "registration": "closed"} == upgraded["auth"]
        elif key == "encrypted_fields":
            new = ("blind_index", "pci")
            assert [{k: v for k, v in f.items() if k not in new} for f in upgraded[key]] == value
        elif key != "schema_version":
            assert upgraded[key] == value, key


def test_without_a_core_answer_no_role_is_scoped(shop: dict[str, Any]) -> None:
    upgraded = slot_migrations().migrate_slot(
        "slot_security_compliance", shop["slot_security_compliance"], {}
    )
    assert upgraded["row_scopes"] == []


@pytest.mark.slow
def test_a_v1_answers_file_renders_a_project_whose_tests_pass(
    shop: dict[str, Any], tmp_path: Path
) -> None:

    project = tmp_path / "shop"
    done = plain_copier_copy(project, shop)
    assert done.returncode == 0, done.stderr[-3000:]
    scopes = (project / "security" / "policies" / "ownership.py").read_text()
    assert '"customer": RowScope(' in scopes
    tests = run_project_tests(project)
    assert tests.returncode == 0, tests.stdout[-5000:] + tests.stderr[-2000:]
    assert "skipped" not in tests.stdout
