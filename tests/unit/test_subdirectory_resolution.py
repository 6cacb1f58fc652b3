"""Staging resolves a templated ``_subdirectory`` with the answers, and names missing readers."""

from __future__ import annotations

from pathlib import Path

import pytest

from backendgen.agents.registry import AGENT_SLOTS
from backendgen.errors import TemplateLayoutError, UserInputError
from backendgen.generator.staging import stage_template

CONFIG = (
    '_subdirectory: "stacks/{{ framework }}"\n'
    "framework:\n  type: str\n  default: fastapi\n"
    "slot_core_backend:\n  type: yaml\n"
)


def _template(root: Path) -> Path:
    (root / "copier.yml").write_text(CONFIG, encoding="utf-8")
    for stack in ("fastapi", "django"):
        (root / "stacks" / stack).mkdir(parents=True)
        (root / "stacks" / stack / f"{stack}.txt.jinja").write_text("{{ slot_core_backend }}")
    return root


def test_the_subdirectory_follows_the_answers_over_the_defaults(tmp_path: Path) -> None:
    root = _template(tmp_path)
    default = stage_template(root, AGENT_SLOTS)
    assert default is not None
    assert default.files_root == root / "stacks" / "fastapi"
    assert default.readers("slot_core_backend") == ("fastapi.txt.jinja",)
    django = stage_template(root, AGENT_SLOTS, {"framework": "django"})
    assert django is not None
    assert django.readers("slot_core_backend") == ("django.txt.jinja",)


def test_a_slot_nobody_reads_is_an_input_error(tmp_path: Path) -> None:
    staged = stage_template(_template(tmp_path), AGENT_SLOTS)
    assert staged is not None
    with pytest.raises(TemplateLayoutError, match="no file reads slot_testing_qa") as caught:
        staged.excludes("slot_testing_qa")
    assert isinstance(caught.value, UserInputError)
    assert caught.value.exit_code == 2


def test_a_subdirectory_naming_no_folder_is_an_input_error(tmp_path: Path) -> None:
    root = _template(tmp_path)
    with pytest.raises(TemplateLayoutError, match="'stacks/flask', which is not a folder"):
        stage_template(root, AGENT_SLOTS, {"framework": "flask"})
