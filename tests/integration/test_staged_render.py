"""Agents' re-renders skip files that do not read their slot, and lose nothing by it.

The bundled template's agent commits are rendered in process (``slot_render``); every one must
be byte-identical to a full Copier render of the answers it records.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import copier
import git
import pytest
import yaml
from pathspec import PathSpec

from backendgen.agents.registry import AGENT_SLOTS
from backendgen.generator.openapi_export import export_openapi
from backendgen.generator.slot_render import SlotRenderer
from backendgen.generator.staging import path_pattern, stage_template
from backendgen.generator.template_source import bundled_template_root
from tests.helpers import HOSTILE, hostile_domain, run_backendgen

OPENAPI_DOCUMENT = "docs/openapi.json"


def _committed_tree(commit: git.Commit) -> dict[str, bytes]:
    return {
        str(item.path): item.data_stream.read()
        for item in commit.tree.traverse()
        if isinstance(item, git.Blob)
    }


def _full_render(answers: dict[str, object], destination: Path) -> dict[str, bytes]:
    """Render every file of the template version ``answers`` records, as git would commit it."""
    data = {k: v for k, v in answers.items() if not k.startswith("_")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
        copier.run_copy(
            str(answers["_src_path"]),
            destination,
            data=data,
            vcs_ref=str(answers["_commit"]),
            defaults=True,
            quiet=True,
            skip_tasks=True,
            unsafe=True,
        )
    repo = git.Repo.init(destination)
    repo.git.add("--all")
    return {path: (destination / path).read_bytes() for path in repo.git.ls_files().splitlines()}


def _app(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in tree.items() if path.startswith(("core/", "security/"))}


def _assert_agent_commits_equal_full_renders(project: Path, tmp_path: Path) -> None:
    """Each agent commit is a full Copier render, plus the app's own ``docs/openapi.json``.

    The document is not Copier's output: ``new`` writes it once, in the last commit that changed
    the app, where the full render's app writes it (as ``make openapi`` does) and the committed
    one must be identical; in every other commit it is as the commit before left it (none
    before that one).
    """
    repo = git.Repo(project)
    scaffold, *agent_commits = list(reversed(list(repo.iter_commits())))
    assert len(agent_commits) == len(AGENT_SLOTS)
    trees = [_committed_tree(commit) for commit in [scaffold, *agent_commits]]
    changed_app = [i for i in range(1, len(trees)) if _app(trees[i]) != _app(trees[i - 1])]
    assert changed_app, "no agent commit changed the app"
    assert OPENAPI_DOCUMENT not in trees[0]
    for index, commit in enumerate(agent_commits, start=1):
        committed, previous = trees[index], trees[index - 1]
        answers = yaml.safe_load(committed[".copier-answers.yml"])
        destination = tmp_path / f"full{index}"
        full = _full_render(answers, destination)
        if index == changed_app[-1]:
            assert OPENAPI_DOCUMENT in committed, f"{commit.summary}: no document"
            assert export_openapi(destination) is None
            full[OPENAPI_DOCUMENT] = (destination / OPENAPI_DOCUMENT).read_bytes()
        elif OPENAPI_DOCUMENT in previous:
            full[OPENAPI_DOCUMENT] = previous[OPENAPI_DOCUMENT]
        assert sorted(committed) == sorted(full), commit.summary
        differing = [path for path in full if committed[path] != full[path]]
        assert differing == [], commit.summary


@pytest.mark.parametrize("name", ["defaults", "healthcare"])
def test_every_agent_commit_equals_a_full_render(
    generated_projects: dict[str, Path], name: str, tmp_path: Path
) -> None:
    _assert_agent_commits_equal_full_renders(generated_projects[name], tmp_path)


def test_hostile_text_renders_as_copier_renders_it(tmp_path: Path) -> None:
    # Every hostile fragment at once, in the domain and in the free-text answers.
    texts = ["".join(HOSTILE[i::8]) for i in range(8)]
    domain = tmp_path / "domain.yml"
    domain.write_text(yaml.safe_dump(hostile_domain(texts), allow_unicode=True), "utf-8")
    answers = tmp_path / "answers.yml"
    answers.write_text(
        yaml.safe_dump({"project_description": texts[0], "requirements": texts[1]}), "utf-8"
    )
    project = tmp_path / "p"
    done = run_backendgen("new", str(project), "--answers", str(answers), "--domain", str(domain))
    assert done.returncode == 0, done.stderr
    _assert_agent_commits_equal_full_renders(project, tmp_path)


def test_staging_skips_the_files_that_do_not_read_the_slot() -> None:
    staged = stage_template(bundled_template_root(), AGENT_SLOTS)
    assert staged is not None
    core = PathSpec.from_lines("gitignore", staged.excludes("slot_core_backend"))
    testing = PathSpec.from_lines("gitignore", staged.excludes("slot_testing_qa"))
    assert not core.match_file("core/models/order.py")
    assert not core.match_file(".copier-answers.yml")
    assert core.match_file("Makefile")
    assert testing.match_file("core/models/order.py")
    assert not testing.match_file(".copier-answers.yml")


def test_path_pattern_widens_jinja_and_escapes_literals() -> None:
    pattern = path_pattern(
        "core/models/{% yield e from slot_core_backend.get('entities', []) %}"
        "{{ e.module }}{% endyield %}.py"
    )
    assert pattern == "/core/models/*.py"
    literal = PathSpec.from_lines("gitignore", [path_pattern("docs/[draft] #1 !.md")])
    assert literal.match_file("docs/[draft] #1 !.md")
    assert not literal.match_file("docs/d #1 !.md")
    spec = PathSpec.from_lines("gitignore", [pattern])
    assert spec.match_file("core/models/order_item.py")
    assert not spec.match_file("core/models/sub/order_item.py")


@pytest.mark.parametrize(
    "content",
    [
        "{% include 'other.jinja' %}",
        "{%- from 'macros.jinja' import field %}",
        "{{ _copier_answers }}",
        "{{ _copier_conf.data }}",
    ],
)
def test_indirect_reads_turn_staging_off(tmp_path: Path, content: str) -> None:
    (tmp_path / "copier.yml").write_text("_subdirectory: files\nslot_core_backend:\n  type: yaml\n")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "plain.txt.jinja").write_text("{{ slot_core_backend }}")
    assert stage_template(tmp_path, AGENT_SLOTS) is not None
    (tmp_path / "files" / "sneaky.txt.jinja").write_text(content)
    assert stage_template(tmp_path, AGENT_SLOTS) is None


def test_a_question_computed_from_a_slot_turns_staging_off(tmp_path: Path) -> None:
    (tmp_path / "copier.yml").write_text(
        "slot_core_backend:\n  type: yaml\n"
        "entity_count:\n  default: '{{ slot_core_backend.entities | length }}'\n"
    )
    assert stage_template(tmp_path, AGENT_SLOTS) is None


def test_the_bundled_template_renders_in_process() -> None:
    root = bundled_template_root()
    assert SlotRenderer.for_template(root, stage_template(root, AGENT_SLOTS)) is not None


@pytest.mark.parametrize(
    "setting",
    [
        "flag:\n  type: bool\n  when: '{{ slot_core_backend }}'\n",
        "flag:\n  type: str\n  when: false\n  default: '{{ project_name }}'\n",
        "token:\n  type: str\n  secret: true\n  default: x\n",
        "_skip_if_exists:\n  - README.md\n",
    ],
)
def test_what_the_renderer_cannot_reproduce_is_left_to_copier(tmp_path: Path, setting: str) -> None:
    config = "_subdirectory: files\nslot_core_backend:\n  type: yaml\n"
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "plain.txt.jinja").write_text("{{ slot_core_backend }}")
    (tmp_path / "files" / "{{_copier_conf.answers_file}}.jinja").write_text("{{ _copier_answers }}")
    (tmp_path / "copier.yml").write_text(config)
    assert SlotRenderer.for_template(tmp_path, stage_template(tmp_path, AGENT_SLOTS)) is not None
    (tmp_path / "copier.yml").write_text(config + setting)
    assert SlotRenderer.for_template(tmp_path, stage_template(tmp_path, AGENT_SLOTS)) is None
