"""The answers model mirrors copier.yml, and validates partial and complete answers."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
import yaml

from backendgen.agents.registry import AGENT_SLOTS, BUILTIN_AGENTS
from backendgen.errors import UserInputError
from backendgen.questions.answers import (
    DOMAIN_SPEC_ANSWER,
    Answers,
    check_partial_answers,
    is_backendgen_answer,
    parse_answers,
)

COPIER_YML = yaml.safe_load((Path(__file__).resolve().parents[2] / "copier.yml").read_text())
QUESTIONS = {k: v for k, v in COPIER_YML.items() if not k.startswith("_")}


BACKENDGEN_ANSWERS = (*AGENT_SLOTS, DOMAIN_SPEC_ANSWER)
"""The hidden answers: one slot per registered built-in agent, and the declared domain."""


COMPUTED = {
    k for k, v in QUESTIONS.items() if v.get("when") is False and k not in BACKENDGEN_ANSWERS
}
"""Values ``copier.yml`` computes from the answers (never asked or recorded)."""


def test_model_has_exactly_the_user_questions() -> None:
    user_questions = {k for k in QUESTIONS if k not in BACKENDGEN_ANSWERS}
    assert set(Answers.model_fields) == user_questions


def test_copier_yml_asks_exactly_the_registry_slots() -> None:
    """copier.yml's ``slot_*`` questions are the agent registry's slots, in its order."""
    slots = [k for k in QUESTIONS if is_backendgen_answer(k) and k != DOMAIN_SPEC_ANSWER]
    assert slots == list(AGENT_SLOTS)
    assert len(AGENT_SLOTS) == len(BUILTIN_AGENTS) == 6


def test_slots_and_domain_spec_are_hidden_yaml_answers() -> None:
    assert "domain_spec" in BACKENDGEN_ANSWERS
    for slot in BACKENDGEN_ANSWERS:
        assert QUESTIONS[slot]["type"] == "yaml"
        assert QUESTIONS[slot]["ask"] is False


@pytest.mark.parametrize("name", [k for k, v in QUESTIONS.items() if "choices" in v])
def test_choices_match_the_model(name: str) -> None:
    choices = set(QUESTIONS[name]["choices"].values())
    annotation = Answers.model_fields[name].annotation
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    assert set(typing.get_args(annotation)) == choices


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": ""}, "project_name"),
        ({"project_name": "has space"}, "project_name"),
        ({"project_name": "x" * 64}, "project_name"),
        ({"domain": "retail"}, "domain"),
        ({"slot_core_backend": {}}, "set by backendgen"),
        ({"domain_spec": {"entities": []}}, "set by backendgen"),
        ({"nonsense": 1}, "unknown question"),
    ],
)
def test_bad_partial_answers_raise_one_line(answers: dict[str, object], message: str) -> None:
    with pytest.raises(UserInputError) as raised:
        check_partial_answers(answers)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_parse_answers_ignores_private_keys_and_slots() -> None:
    recorded = {
        "_commit": "v1",
        "_src_path": "/x",
        "project_name": "svc",
        "project_description": "d",
        "domain": "saas",
        "framework": "fastapi",
        "database": "sqlite",
        "auth": "none",
        "compliance": [],
        "scale": "small",
        "deployment": "docker_compose",
        "ci_provider": "none",
        "requirements": "",
        "slot_core_backend": {"entities": []},
        "domain_spec": {"entities": []},
    }
    assert parse_answers(recorded).project_name == "svc"
    del recorded["scale"]
    with pytest.raises(UserInputError, match="scale"):
        parse_answers(recorded)
