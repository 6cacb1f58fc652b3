"""A templated ``_subdirectory`` (one folder per stack) renders a full project, or stops.

Copier serves several stacks from one template with ``_subdirectory: templates/{{ framework }}``.
Staging used to read that path literally, find no file reading any slot, and commit agents
that changed only ``.copier-answers.yml``: an empty backend with exit 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import git

from tests.helpers import copy_bundled_template, replace_in, run_backendgen

SHIPPED_SUBDIRECTORY = "\"templates/{{ 'django' if framework == 'django' else 'backend' }}\""
"""The bundled template's own ``_subdirectory`` line (FastAPI's folder kept its name)."""


def _per_stack_template(path: Path, subdirectory: str) -> Path:
    """The bundled template with its files moved under ``templates/fastapi``."""
    copy_bundled_template(path)
    shutil.move(path / "templates" / "backend", path / "templates" / "fastapi")
    replace_in(path / "copier.yml", f"_subdirectory: {SHIPPED_SUBDIRECTORY}", subdirectory)
    return path


def test_a_templated_subdirectory_renders_every_agent(tmp_path: Path) -> None:
    template = _per_stack_template(tmp_path / "t", '_subdirectory: "templates/{{ framework }}"')
    project = tmp_path / "shop"
    done = run_backendgen(
        "new",
        str(project),
        "--defaults",
        "-d",
        "database=sqlite",
        "--template",
        str(template),
        "--trust",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (project / "core" / "models" / "customer.py").is_file()
    commits = list(git.Repo(project).iter_commits("HEAD", reverse=True))
    core = commits[1]
    assert core.summary.startswith("feat(core): ")
    assert "core/models/customer.py" in core.stats.files


def test_a_subdirectory_without_slot_readers_stops_with_exit_2(tmp_path: Path) -> None:
    template = _per_stack_template(tmp_path / "t", "_subdirectory: templates/empty")
    empty = template / "templates" / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("nothing reads a slot here\n", encoding="utf-8")
    (empty / "{{_copier_conf.answers_file}}.jinja").write_text(
        "{{ _copier_answers | to_nice_yaml }}", encoding="utf-8"
    )
    project = tmp_path / "shop"
    done = run_backendgen("new", str(project), "--defaults", "--template", str(template), "--trust")
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("backendgen: error: template ")
    assert "no file reads slot_core_backend" in lines[-1]
    assert "Traceback" not in done.stderr
    assert not project.exists()
