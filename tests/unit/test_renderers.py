"""The renderers agree with ``copier.yml``; their reserved names go through the rename policy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backendgen.errors import UserInputError
from backendgen.generator.staging import resolve_subdirectory
from backendgen.generator.template_source import bundled_template_root
from backendgen.questions.domain import load_yaml_domain
from backendgen.renderers import RENDERERS, renderer_for, reserved_member_names

ROOT = bundled_template_root()
SETTINGS = yaml.safe_load((ROOT / "copier.yml").read_text("utf-8"))


def test_every_framework_choice_has_a_renderer_and_back() -> None:
    choices = SETTINGS["framework"]["choices"]
    assert dict(choices) == {renderer.label: name for name, renderer in RENDERERS.items()}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_the_subdirectory_resolves_to_the_renderers_folder(name: str) -> None:
    renderer = RENDERERS[name]
    resolved = resolve_subdirectory(ROOT, SETTINGS, {"framework": name})
    assert resolved == ROOT / renderer.template_dir
    assert renderer.filters_extension in SETTINGS["_jinja_extensions"]


def test_an_unknown_framework_is_an_input_error() -> None:
    with pytest.raises(UserInputError, match="framework 'flask' has no renderer"):
        renderer_for("flask")


def test_django_model_attributes_are_renamed_for_every_framework(tmp_path: Path) -> None:
    assert {"objects", "pk", "save", "delete", "clean"} <= reserved_member_names()
    domain = tmp_path / "domain.yml"
    domain.write_text(
        yaml.safe_dump(
            {
                "entities": [
                    {
                        "name": "Shelf",
                        "fields": [
                            {"name": "objects", "type": "integer"},
                            {"name": "label", "type": "string", "max_length": 40},
                        ],
                    }
                ],
            }
        ),
        "utf-8",
    )
    spec, warnings = load_yaml_domain(domain)
    assert [f.name for f in spec.entities[0].fields] == ["objects_value", "label"]
    assert any("Shelf.objects renamed to 'objects_value'" in w for w in warnings)
