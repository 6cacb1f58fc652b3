"""Plain `copier update` moves a generated project to a newer template version, no LLM call."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import git
import pytest
import yaml

from tests.helpers import (
    commit_and_tag,
    copy_bundled_template,
    counting_llm_endpoint,
    project_env,
    run,
    run_backendgen,
)

NEW_FILE = "templates/backend/ENTITIES.md.jinja"
NEW_FILE_BODY = (
    "# Entities\n\n"
    "{% for entity in slot_core_backend.get('entities', []) %}"
    "- {{ entity.name }} ({{ entity.table }})\n"
    "{% endfor %}"
)


@pytest.fixture
def llm_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A loopback OpenAI-style endpoint that records every request it gets."""
    with counting_llm_endpoint() as endpoint:
        yield endpoint


def _template_repo(path: Path) -> git.Repo:
    copy_bundled_template(path)
    commit_and_tag(path, "template v1", "v1.0.0")
    return git.Repo(path)


def test_copier_update_rerenders_agent_content_without_llm(
    tmp_path: Path, llm_endpoint: tuple[str, list[str]]
) -> None:
    base_url, requests = llm_endpoint
    template = _template_repo(tmp_path / "template")
    project = tmp_path / "service"
    done = run_backendgen(
        "new",
        str(project),
        "--defaults",
        "--template",
        str(tmp_path / "template"),
        "--vcs-ref",
        "v1.0.0",
        "--trust",
    )
    assert done.returncode == 0, done.stderr
    answers_v1 = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers_v1["_commit"] == "v1.0.0"

    # The user edits the project and commits.
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nTeam note: owned by the payments squad.\n")
    project_repo = git.Repo(project)
    project_repo.git.commit("-qam", "docs: team note")

    # Template v2 adds a file rendered from the core slot and changes an existing one.
    template_dir = Path(str(template.working_tree_dir))
    (template_dir / NEW_FILE).write_text(NEW_FILE_BODY)
    gitignore = template_dir / "templates" / "backend" / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "# template v2\n")
    template.git.add("--all")
    template.git.commit("-qm", "template v2")
    template.git.tag("v2.0.0")

    env = project_env(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="test-key")
    update = run(
        [str(Path(sys.executable).parent / "copier"), "update", "--trust", "--defaults", "--quiet"],
        cwd=project,
        env=env,
    )
    assert update.returncode == 0, update.stderr

    answers_v2 = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers_v2["_commit"] == "v2.0.0"
    for key, value in answers_v1.items():
        if key.startswith("slot_"):
            assert answers_v2[key] == value, key
    entities = answers_v1["slot_core_backend"]["entities"]
    rendered = (project / "ENTITIES.md").read_text()
    for entity in entities:
        assert f"- {entity['name']} ({entity['table']})" in rendered
    assert (project / ".gitignore").read_text().endswith("# template v2\n")
    assert "Team note: owned by the payments squad." in readme.read_text()
    assert requests == []
    assert not list(project.rglob("*.rej"))


def test_untrusted_user_template_is_refused_with_one_line(tmp_path: Path) -> None:
    _template_repo(tmp_path / "template")
    project = tmp_path / "service"
    done = run_backendgen(
        "new", str(project), "--defaults", "--template", str(tmp_path / "template")
    )
    assert done.returncode == 2, done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("backendgen: error: template ")
    assert "--trust" in message
    assert not project.exists()
