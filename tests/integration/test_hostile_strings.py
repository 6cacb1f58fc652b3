"""Hostile text from users or models never breaks generated code (property-based).

Descriptions, rules, glossary entries, sample values, the project description and the
requirements carry quotes, triple quotes, backslashes, Jinja delimiters, newlines, control
characters, RTL marks and long runs. Every generated Python file must parse, every YAML and
JSON file must load, and on a sample the generated tests must pass.
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import HOSTILE, hostile_domain, project_env, run_backendgen, run_project_tests

hostile_text = (
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8)), min_size=1, max_size=12)
    .map("".join)
    .map(lambda s: s[:280])
)


def _check_files(project: Path) -> None:
    for path in project.rglob("*"):
        if not path.is_file() or ".git" in path.parts:
            continue
        text = path.read_text("utf-8")
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix in (".yml", ".yaml"):
            list(yaml.safe_load_all(text))
        elif path.suffix == ".json":
            json.loads(text)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(texts=st.lists(hostile_text, min_size=8, max_size=8))
def test_hostile_text_never_breaks_generated_code(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="backendgen-hostile-") as tmp:
        root = Path(tmp)
        domain = root / "domain.yml"
        domain.write_text(yaml.safe_dump(hostile_domain(texts), allow_unicode=True), "utf-8")
        answers = root / "answers.yml"
        answers.write_text(
            yaml.safe_dump(
                {"project_description": texts[0][:280], "requirements": texts[1]},
                allow_unicode=True,
            ),
            "utf-8",
        )
        project = root / "p"
        done = run_backendgen(
            "new",
            str(project),
            "--answers",
            str(answers),
            "--domain",
            str(domain),
            env=project_env(XDG_CACHE_HOME=str(root / "cache")),
        )
        assert done.returncode == 0, done.stderr[-3000:]
        _check_files(project)
        shutil.rmtree(project / ".git")
        tests = run_project_tests(project, "-x")
        assert tests.returncode == 0, tests.stdout[-5000:]
