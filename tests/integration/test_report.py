"""``backendgen report``: the HTML page and the terminal tables of a generated project.

The page must hold every section (timeline, usage chart, agents, ER diagram, permission matrix,
commits), fetch nothing, and show hostile strings from the project as text, never as markup.
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from backendgen.report.model import AgentRun, Entity, ProjectReport, Relation
from backendgen.report.page import render_html
from tests.conftest import generated_project
from tests.helpers import HOSTILE, git_out, run_backendgen

pytestmark = pytest.mark.xdist_group("defaults-report")

HOSTILE_NAMES = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</text></svg><iframe src=//127.0.0.1:9>",
    "a & b <b>bold</b>",
    *HOSTILE,
]


class _Tags(HTMLParser):
    """Collects the start tags of a page, with their attribute names."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def project(isolated_environment: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the shared defaults project (the tests tamper with it)."""
    copy = tmp_path_factory.mktemp("report") / "defaults"
    shutil.copytree(generated_project(isolated_environment, "defaults"), copy, symlinks=True)
    return copy


def _html(project: Path, target: Path) -> str:
    done = run_backendgen("report", str(project), "--html", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target)
    return target.read_text("utf-8")


def test_page_holds_every_section(project: Path, tmp_path: Path) -> None:
    page = _html(project, tmp_path / "report.html")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    entities = [e["name"] for e in answers["domain_spec"]["entities"]]
    roles = [r["name"] for r in answers["slot_security_compliance"]["roles"]]
    report = json.loads((project / ".backendgen" / "report.json").read_text())
    parsed = _parsed(page)
    texts = set(parsed.texts)
    for section in ("timeline", "agents", "usage", "er", "permissions", "commits"):
        assert f'id="{section}"' in page
    assert page.count('class="agent-bar"') == len(report["agents"]) == 6  # the run was timed
    for agent in report["agents"]:
        assert (
            0 < agent["started_s"] <= agent["ready_s"] <= agent["finished_s"] <= report["seconds"]
        )
    assert set(entities) <= texts
    assert set(roles) <= texts
    for agent in report["agents"]:
        assert agent["name"] in texts
        assert agent["commit"][:10] in texts
    # Every agent commit lists the files git says it changed.
    for sha in git_out(project, "log", "--format=%H", "--grep=Backendgen-Agent").split():
        changed = git_out(project, "show", "--name-only", "--format=", sha).split()
        assert changed
        assert set(changed) <= texts
    assert "script" not in parsed.tags
    assert not any(name.startswith("on") for name in parsed.attributes)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_permission_matrix_matches_the_security_slot(project: Path, tmp_path: Path) -> None:
    page = _html(project, tmp_path / "report.html")
    security = yaml.safe_load((project / ".copier-answers.yml").read_text())[
        "slot_security_compliance"
    ]
    for grant in security["permissions"]:
        for action in ("create", "read", "update", "delete"):
            cell = f'class="{{}}" title="{grant["role"]} {action} {grant["entity"]}"'
            expected = "yes" if action in grant["actions"] else "no"
            assert cell.format(expected) in page, (grant, action)


def test_hostile_strings_show_as_text(project: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile"
    shutil.copytree(project, hostile, symlinks=True)
    answers_path = hostile / ".copier-answers.yml"
    answers = yaml.safe_load(answers_path.read_text())
    names = iter(HOSTILE_NAMES * 20)
    for entity in answers["domain_spec"]["entities"]:
        entity["name"] = next(names)
        for field in entity["fields"]:
            field["name"] = next(names)
        for relation in entity.get("relationships", []):
            relation["name"] = next(names)
    for role in answers["slot_security_compliance"]["roles"]:
        role["name"] = next(names)
    answers_path.write_text(yaml.safe_dump(answers, allow_unicode=True))
    report_path = hostile / ".backendgen" / "report.json"
    report = json.loads(report_path.read_text())
    report["project"] = next(names)
    for agent in report["agents"]:
        agent["fallback_reason"] = next(names)
        agent["model"] = next(names)
    report_path.write_text(json.dumps(report))
    benign = _parsed(_html(project, tmp_path / "benign.html"))
    page = _html(hostile, tmp_path / "hostile.html")
    parsed = _parsed(page)
    assert parsed.tags == benign.tags
    assert not any(name.startswith("on") for name in parsed.attributes)
    text = "".join(parsed.texts)
    for name in HOSTILE_NAMES[:5]:
        assert name in text  # shown, as text
    tables = run_backendgen("report", str(hostile))
    assert tables.returncode == 0, tables.stderr
    assert "<script>alert" in tables.stdout  # rich markup in names is printed, not applied
    assert "<b>bold</b>" in tables.stdout


def test_terminal_tables(project: Path) -> None:
    done = run_backendgen("report", str(project))
    assert done.returncode == 0, done.stderr
    report = json.loads((project / ".backendgen" / "report.json").read_text())
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for title in ("Agents", "Entities", "Permission matrix", "Agent commits"):
        assert title in done.stdout
    for agent in report["agents"]:
        assert agent["name"] in done.stdout
        assert agent["commit"][:10] in done.stdout
    for entity in answers["domain_spec"]["entities"]:
        assert entity["name"] in done.stdout


def test_report_of_a_non_project_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_backendgen("report", str(tmp_path), "--html")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "not a project generated by backendgen" in done.stderr
    assert not list(tmp_path.iterdir())


def _run(name: str, start: float, ready: float, finish: float, **extra: object) -> AgentRun:
    values: dict[str, object] = {
        "source": "llm",
        "model": "m",
        "fallback_reason": "",
        "prompt_tokens": 100,
        "completion_tokens": 50,
        "cost_usd": 0.01,
        "seconds": finish - start,
        "requests": 1,
        "retries": 0,
        "commit": "0" * 40,
    } | extra
    return AgentRun(name, started_s=start, ready_s=ready, finished_s=finish, **values)  # type: ignore[arg-type]


def test_timeline_lanes_reasks_and_fallbacks() -> None:
    report = ProjectReport(
        project="p",
        provider="openai",
        template_ref="v1",
        seconds=10.0,
        agents=[
            _run("core_backend", 1.0, 4.0, 5.0),
            _run("security_compliance", 5.0, 7.0, 8.0, retries=2),
            _run("documentation", 5.0, 6.0, 9.0, source="blueprint", fallback_reason="timeout"),
            _run("testing_qa", 8.5, 9.0, 10.0, source="cache"),
        ],
        entities=[Entity("Note", (("body", "text"),)), Entity("Tag", (("label", "string"),))],
        relations=[Relation("Tag", "Note", "note", "many_to_one")],
    )
    assert report.lanes() == [0, 0, 1, 0]
    page = render_html(report)
    assert "core_backend, security_compliance, testing_qa" in page  # lane 1's label
    assert ">documentation</text>" in page  # lane 2's label
    assert "↻2" in page
    assert "⚠ fallback" in page
    assert 'stroke="#b3261e" stroke-width="3"' in page  # the fallback bar's outline
    assert page.count('class="agent-bar"') == 4
    assert "note (n:1)" in page


def test_without_its_report_file_the_page_comes_from_the_commits(
    project: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(project, bare, symlinks=True)
    report = json.loads((bare / ".backendgen" / "report.json").read_text())
    (bare / ".backendgen" / "report.json").unlink()
    page = _html(bare, tmp_path / "bare.html")
    assert "No timeline" in page
    texts = set(_parsed(page).texts)
    for agent in report["agents"]:
        assert agent["name"] in texts
        assert agent["commit"][:10] in texts
