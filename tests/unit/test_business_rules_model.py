"""The domain kernel's declarative business rules: parsing, checks against the entity, bounds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from backendgen.cli import main
from backendgen.domain.entities import EntitySet, EntitySpec
from backendgen.domain.rules import CompareRule, ProseRule, RangeRule, TransitionRule, resolve_bound
from backendgen.generator.spec_versions import slot_migrations
from backendgen.questions.domain import DomainSpec

CATALOGUE = Path(__file__).resolve().parents[2] / "backendgen" / "catalogue"

ENTITY: dict[str, Any] = {
    "name": "Transfer",
    "fields": [
        {"name": "amount", "type": "decimal"},
        {"name": "booked_on", "type": "date"},
        {"name": "memo", "type": "string", "max_length": 20},
        {"name": "status", "type": "enum", "enum": "TransferStatus"},
    ],
    "relationships": [
        {"name": "source", "target": "Account"},
        {"name": "destination", "target": "Account"},
    ],
}
ENUMS = [
    {"name": "TransferStatus", "values": ["PENDING", "SETTLED"]},
]
ACCOUNT = {"name": "Account", "fields": []}


def _entity(*rules: Any) -> EntitySpec:
    return EntitySpec.model_validate({**ENTITY, "rules": list(rules)})


def test_a_sentence_is_a_prose_rule_and_objects_are_declarative() -> None:
    entity = _entity(
        "Transfers are audited.",
        {"kind": "range", "field": "amount", "minimum": 0, "exclusive_minimum": True},
        {"kind": "compare", "field": "source_id", "operator": "!=", "other": "destination_id"},
        {
            "kind": "transitions",
            "field": "status",
            "initial": ["PENDING"],
            "allowed": [{"source": "PENDING", "targets": ["SETTLED"]}],
        },
    )
    kinds = [type(rule) for rule in entity.rules]
    assert kinds == [ProseRule, RangeRule, CompareRule, TransitionRule]
    assert entity.rules[0].text == "Transfers are audited."
    assert entity.rules[1].text == "amount > 0"
    assert entity.rules[2].text == "source_id != destination_id"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "range", "field": "nope", "minimum": 1}, "unknown field 'nope'"),
        ({"kind": "range", "field": "memo", "minimum": 1}, "not 'string'"),
        ({"kind": "range", "field": "amount", "latest": "today"}, "not 'decimal'"),
        ({"kind": "range", "field": "amount"}, "not both nor neither"),
        ({"kind": "range", "field": "amount", "minimum": 5, "maximum": 1}, "minimum > maximum"),
        ({"kind": "range", "field": "booked_on", "latest": "yesterday"}, "pattern"),
        ({"kind": "compare", "field": "amount", "operator": "<", "other": "x"}, "unknown field"),
        ({"kind": "compare", "field": "amount", "operator": "<", "other": "booked_on"}, "compare"),
        ({"kind": "compare", "field": "memo", "operator": "<", "other": "memo"}, "itself"),
        (
            {"kind": "compare", "field": "source_id", "operator": "<", "other": "destination_id"},
            "needs numbers",
        ),
        ({"kind": "transitions", "field": "memo"}, "need an enum field"),
        (
            {
                "kind": "transitions",
                "field": "status",
                "allowed": [
                    {"source": "PENDING", "targets": []},
                    {"source": "PENDING", "targets": []},
                ],
            },
            "twice",
        ),
    ],
)
def test_a_rule_that_does_not_fit_its_entity_is_refused(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _entity(rule)


def test_transition_values_must_exist_in_the_enum() -> None:
    rule = {"kind": "transitions", "field": "status", "initial": ["DRAFT"]}
    with pytest.raises(ValidationError, match=r"values \['DRAFT'\] that enum TransferStatus"):
        EntitySet.model_validate(
            {"entities": [ACCOUNT, {**ENTITY, "rules": [rule]}], "enums": ENUMS}
        )


@pytest.mark.parametrize(
    ("bound", "today", "expected"),
    [
        ("today", dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        ("today-18y", dt.date(2026, 12, 1), dt.date(2008, 12, 1)),
        ("today-18y", dt.date(2024, 2, 29), dt.date(2006, 2, 28)),
        ("now+30d", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("today-1m", dt.date(2026, 3, 31), dt.date(2026, 2, 28)),
        ("1900-01-01", dt.date(2026, 12, 1), dt.date(1900, 1, 1)),
    ],
)
def test_relative_bounds(bound: str, today: dt.date, expected: dt.date) -> None:
    assert resolve_bound(bound, today) == expected


@pytest.mark.parametrize("domain", ["fintech", "healthcare", "ecommerce"])
def test_catalogue_domains_state_declarative_rules(domain: str) -> None:
    data = yaml.safe_load((CATALOGUE / f"{domain}.yml").read_text())
    spec = DomainSpec.model_validate(data)
    kinds = {type(r).__name__ for e in spec.entities for r in e.rules}
    assert {"RangeRule", "TransitionRule"} <= kinds


def test_the_fintech_rules_the_review_asked_for() -> None:
    data = yaml.safe_load((CATALOGUE / "fintech.yml").read_text())
    entities = {e.name: e for e in DomainSpec.model_validate(data).entities}
    (adult,) = [r for r in entities["AccountHolder"].rules if isinstance(r, RangeRule)]
    assert (adult.field, adult.latest) == ("date_of_birth", "today-18y")
    rules = entities["Transfer"].rules
    (distinct,) = [r for r in rules if isinstance(r, CompareRule)]
    assert {distinct.field, distinct.other, distinct.operator} == {
        "source_account_id",
        "destination_account_id",
        "!=",
    }
    (amount,) = [r for r in rules if isinstance(r, RangeRule)]
    assert (amount.minimum, amount.exclusive_minimum) == (0, True)
    (life,) = [r for r in rules if isinstance(r, TransitionRule)]
    assert life.initial == ["PENDING"]
    assert "SETTLED" not in {t.source for t in life.allowed}


def test_v2_core_rules_migrate_to_prose() -> None:
    old = {"schema_version": 2, "entities": [{"name": "Order", "rules": ["Paid once."]}]}
    new = slot_migrations().migrate_slot("slot_core_backend", old, {})
    assert new["schema_version"] == 3
    assert new["entities"][0]["rules"] == [{"kind": "prose", "description": "Paid once."}]
    assert old["entities"][0]["rules"] == ["Paid once."]


def test_a_domain_file_with_a_broken_rule_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (CATALOGUE / "fintech.yml").read_text()
    broken = text.replace("other: destination_account_id", "other: destination_id")
    assert broken != text
    domain = tmp_path / "fintech.yml"
    domain.write_text(broken)
    target = tmp_path / "project"
    code = main(["new", str(target), "--defaults", "--domain", str(domain)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "names unknown field 'destination_id'" in err[0]
    assert not target.exists()
