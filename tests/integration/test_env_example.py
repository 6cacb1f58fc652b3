"""A generated project's ``.env.example`` lists every variable the service reads, each explained.

The variables are read from the code, not from a list here: every field of the settings class
(pydantic-settings reads each from its upper-case name) and every ``${VAR}`` of the container
entrypoint.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

VARIABLE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=")


def read_variables(project: Path) -> set[str]:
    """The environment variables the project's settings and entrypoint read."""
    tree = ast.parse((project / "core" / "config" / "settings.py").read_text())
    settings = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    fields = {
        node.target.id.upper()
        for node in settings.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    fields.discard("MODEL_CONFIG")
    entrypoint = (project / "infrastructure" / "scripts" / "entrypoint.sh").read_text()
    return fields | set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)[:}-]", entrypoint))


def documented_variables(example: str) -> tuple[set[str], set[str]]:
    """The variables of ``.env.example``, and those of them without a comment in their group.

    Groups are separated by blank lines; a group explains its variables with at least one
    comment line that is not itself a commented-out variable.
    """
    listed: set[str] = set()
    unexplained: set[str] = set()
    for group in re.split(r"\n\s*\n", example):
        lines = [line for line in group.splitlines() if line.strip()]
        names = {m.group(1) for line in lines if (m := VARIABLE.match(line))}
        explained = any(line.startswith("#") and not VARIABLE.match(line) for line in lines)
        listed |= names
        if not explained:
            unexplained |= names
    return listed, unexplained


@pytest.mark.parametrize("name", ["defaults", "saas"])
def test_env_example_lists_every_variable_with_a_comment(
    generated_projects: dict[str, Path], name: str
) -> None:
    project = generated_projects[name]
    read = read_variables(project)
    assert {"DATABASE_URL", "ENVIRONMENT", "RUN_MIGRATIONS"} <= read, read
    listed, unexplained = documented_variables((project / ".env.example").read_text())
    assert read - listed == set(), f"not in .env.example: {sorted(read - listed)}"
    assert unexplained == set(), f"no comment: {sorted(unexplained)}"
