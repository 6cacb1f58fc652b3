"""The business rules reach the OpenAPI tags and ``docs/API.md`` as sentences.

A rule is a typed object in the core spec (kind, field, bounds and its words); what a reader
of the API documentation meets is the rule's words, never the object.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from backendgen.domain.rules import RuleSpec, rule_text

RULE = TypeAdapter(RuleSpec)


def _entities(project: Path) -> list[dict[str, object]]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    entities: list[dict[str, object]] = answers["slot_core_backend"]["entities"]
    return entities


def _sentences(entity: dict[str, object]) -> list[str]:
    rules = entity.get("rules") or []
    assert isinstance(rules, list)
    return [rule_text(RULE.validate_python(rule)) for rule in rules]


@pytest.mark.parametrize("name", ["defaults", "fintech"])
def test_each_tag_states_its_entity_and_rules_in_words(
    generated_projects: dict[str, Path], name: str
) -> None:
    project = generated_projects[name]
    document = json.loads((project / "docs" / "openapi.json").read_text())
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}
    entities = _entities(project)
    assert any(_sentences(entity) for entity in entities), "the domain declares no rule"
    for entity in entities:
        words = [str(entity["description"]), *_sentences(entity)]
        assert tags[entity["name"]] == " ".join(w for w in words if w)


@pytest.mark.parametrize("name", ["defaults", "fintech"])
def test_the_api_guide_lists_each_rule_as_a_sentence(
    generated_projects: dict[str, Path], name: str
) -> None:
    project = generated_projects[name]
    guide = (project / "docs" / "API.md").read_text()
    assert "'kind':" not in guide
    for entity in _entities(project):
        for sentence in _sentences(entity):
            assert f"- {sentence}\n" in guide, sentence
