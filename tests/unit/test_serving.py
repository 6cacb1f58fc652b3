"""The serving seam picks its recipe by the project's ``framework`` answer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.serving import framework_of, recipe_of, server_command


def _project(tmp_path: Path, framework: str | None) -> Path:
    answers = "project_name: shop\n" + (f"framework: {framework}\n" if framework else "")
    (tmp_path / ".copier-answers.yml").write_text(answers)
    return tmp_path


def test_a_fastapi_project_is_migrated_by_alembic_and_served_as_core_main(tmp_path: Path) -> None:
    project = _project(tmp_path, "fastapi")
    assert recipe_of(project).migrate == ("-m", "alembic", "upgrade", "head")
    assert server_command(8000, project) == [
        sys.executable,
        "-m",
        "uvicorn",
        "core.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--no-access-log",
    ]


def test_a_django_project_is_migrated_by_manage_py_and_served_as_core_asgi(tmp_path: Path) -> None:
    project = _project(tmp_path, "django")
    assert recipe_of(project).migrate == ("manage.py", "migrate", "--noinput")
    assert server_command(8000, project)[3] == "core.asgi:application"


def test_a_project_without_the_answer_is_fastapi(tmp_path: Path) -> None:
    assert framework_of(_project(tmp_path, None)) == "fastapi"


def test_a_framework_without_a_recipe_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="no serving recipe for framework 'rails'"):
        recipe_of(_project(tmp_path, "rails"))
