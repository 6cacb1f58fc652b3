"""The questionnaire's questions-only view of a template asks what the template asks."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import copier
import pytest

from backendgen.generator.questions_only import questions_only
from backendgen.generator.template_source import bundled_template_root


def _answers(src: Path, data: dict[str, Any]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        worker = copier.run_copy(
            str(src),
            src.parent / "never-written",
            data=data,
            defaults=True,
            pretend=True,
            quiet=True,
            skip_tasks=True,
            unsafe=True,
            exclude=["*"],
        )
    return dict(worker.answers.user)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"project_name": "clinic-api", "domain": "healthcare", "auth": "none"},
        {"database": "sqlite", "compliance": ["gdpr", "pci_dss"], "ci_provider": "gitlab"},
    ],
)
def test_the_view_gives_the_answers_the_template_gives(data: dict[str, Any]) -> None:
    root = bundled_template_root()
    with questions_only(root) as view:
        assert view is not None
        assert _answers(view, data) == _answers(root, data)


def test_the_view_holds_nothing_to_render() -> None:
    with questions_only(bundled_template_root()) as view:
        assert view is not None
        config = (view / "copier.yml").read_text()
        subdirectory = view / "_backendgen_questions_only"
        assert "_subdirectory: _backendgen_questions_only" in config
        assert subdirectory.is_dir()
        assert not any(subdirectory.iterdir())
        assert not (view / "templates").exists()
    assert not view.exists()


@pytest.mark.parametrize(
    "config",
    ["project_name: {type: str}\n", "_subdirectory: [not, a, path]\n", "key: [unclosed\n"],
)
def test_a_template_the_view_cannot_show_is_handed_over_as_it_is(
    tmp_path: Path, config: str
) -> None:
    (tmp_path / "copier.yml").write_text(config)
    with questions_only(tmp_path) as view:
        assert view is None
