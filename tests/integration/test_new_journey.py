"""``backendgen new`` from the user's side: answers, the project name default, the summary."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest
import yaml

from backendgen.agents.registry import AGENT_NAMES
from backendgen.cli import (
    DESCRIPTION,
    main,
    new_project_next_steps,
    parse_compliance,
)
from backendgen.commands.shared import summary_lines
from backendgen.errors import UserInputError
from backendgen.generator.pipeline import GenerationOptions, generate
from backendgen.generator.progress import AgentClock, LiveProgress, PlainProgress
from backendgen.generator.questionnaire import collect_answers, default_project_name
from backendgen.generator.template_source import resolve_template
from backendgen.llm.report import AgentReport, Report
from tests.helpers import run_backendgen

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_PROJECT_NAME = yaml.safe_load((REPO / "copier.yml").read_text())["project_name"]["default"]


@pytest.mark.parametrize(
    ("value", "regimes"),
    [
        ("gdpr", ["gdpr"]),
        ("gdpr,hipaa", ["gdpr", "hipaa"]),
        (" gdpr , sox ", ["gdpr", "sox"]),
        ("[gdpr, hipaa]", ["gdpr", "hipaa"]),
        ("[]", []),
        ("", []),
    ],
)
def test_compliance_takes_a_name_a_comma_list_or_a_yaml_list(
    value: str, regimes: list[str]
) -> None:
    assert parse_compliance(value) == regimes


@pytest.mark.parametrize("value", ["[gdpr", "[gdpr, [hipaa]]", "[1, 2]"])
def test_a_broken_compliance_list_is_one_line_of_bad_input(value: str) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_compliance(value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "value", ["compliance=gdpr,iso9001", "compliance=[gdpr", "compliance=soc2"]
)
def test_bad_compliance_flags_exit_2_with_one_line(tmp_path: Path, value: str) -> None:
    done = run_backendgen("new", str(tmp_path / "svc"), "--defaults", "-d", value)
    assert done.returncode == 2, done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()] == [done.stderr.strip()]
    assert done.stderr.startswith("backendgen: error: ")
    assert list(tmp_path.iterdir()) == []


def test_help_is_one_plain_line_of_description(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    shown = capsys.readouterr().out
    assert ":mod:" not in shown
    assert "``" not in shown
    assert " ".join(DESCRIPTION.split()) in " ".join(shown.split())
    assert "\n" not in DESCRIPTION


@pytest.mark.parametrize(
    ("directory", "expected"),
    [
        ("my-shop", "my-shop"),
        ("clinic_api2", "clinic_api2"),
        ("1shop", None),
        ("my shop", None),
        ("x" * 64, None),
    ],
)
def test_project_name_default_is_the_destination_name_when_valid(
    tmp_path: Path, directory: str, expected: str | None
) -> None:
    assert default_project_name(tmp_path / directory) == expected


def test_defaults_take_the_destination_name_and_write_nothing(tmp_path: Path) -> None:
    template = resolve_template(None, None)
    named = collect_answers(tmp_path / "my-shop", {"compliance": []}, template)
    assert named.answers["project_name"] == "my-shop"
    assert named.answers["project_description"] == "my-shop backend service"
    assert named.answers["compliance"] == []
    assert named.domain_file is None
    unnamed = collect_answers(tmp_path / "1-not-a-name", {}, template)
    assert unnamed.answers["project_name"] == TEMPLATE_PROJECT_NAME
    given = collect_answers(tmp_path / "my-shop", {"project_name": "svc"}, template)
    assert given.answers["project_name"] == "svc"
    assert list(tmp_path.iterdir()) == []


def test_custom_domain_without_a_file_is_refused_when_nothing_can_be_asked(
    tmp_path: Path,
) -> None:
    with pytest.raises(UserInputError, match="--domain FILE"):
        collect_answers(tmp_path / "svc", {"domain": "custom"}, resolve_template(None, None))


def _report() -> Report:
    report = Report(project="svc", template="t", template_ref="v1", provider="openai")
    report.seconds = 12.5
    report.agents = [
        AgentReport(
            name="core_backend",
            source="llm",
            model="m",
            prompt_tokens=1200,
            completion_tokens=340,
            cost_usd=0.0123,
            seconds=4.25,
            commit="0123456789abcdef",
        ),
        AgentReport(
            name="documentation",
            source="blueprint",
            model="m",
            fallback_reason="endpoint unreachable",
            seconds=0.5,
            commit="fedcba9876543210",
        ),
    ]
    return report


def test_summary_has_one_row_per_agent_and_the_next_steps() -> None:
    destination = Path("out") / "my service"
    lines = summary_lines(_report(), destination, next_steps=new_project_next_steps(destination))
    text = "\n".join(lines)
    assert lines[0].startswith(f"generated {destination} in 12.5s with provider openai")
    header = next(line for line in lines if "agent" in line and "source" in line)
    assert header.split() == [
        "agent", "source", "tokens", "cost", "time", "commit", "fallback", "reason",
    ]  # fmt: skip
    core = next(line for line in lines if "core_backend" in line)
    assert core.split() == ["core_backend", "llm", "1200+340", "$0.0123", "4.2s", "0123456789"]
    docs = next(line for line in lines if "documentation" in line)
    assert docs.split()[:6] == [
        "documentation",
        "blueprint",
        "0+0",
        "$0.0000",
        "0.5s",
        "fedcba9876",
    ]
    assert docs.endswith("endpoint unreachable")
    assert text.count("core_backend") == 1
    steps = lines[lines.index("next steps:") + 1 :]
    assert steps[0].strip() == "cd 'out/my service'"
    assert any(step.strip().startswith("make test") for step in steps)
    assert any(step.strip().startswith("make run") for step in steps)
    assert any("backendgen update 'out/my service'" in step for step in steps)
    assert any("copier update --trust --defaults" in step for step in steps)


def test_summary_without_fallbacks_has_no_reason_column() -> None:
    report = _report()
    report.agents[1].fallback_reason = None
    lines = summary_lines(report, Path("svc"), verb="regenerated")
    assert lines[0].startswith("regenerated svc in")
    assert "fallback" not in "\n".join(lines)
    assert "next steps:" not in lines


def test_a_run_prints_one_summary_after_its_progress(tmp_path: Path) -> None:
    destination = tmp_path / "my-shop"
    done = run_backendgen("new", str(destination), "--defaults", "-d", "compliance=gdpr")
    assert done.returncode == 0, done.stderr
    recorded = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert recorded["compliance"] == ["gdpr"]
    assert recorded["project_name"] == "my-shop"
    assert done.stdout.count("next steps:") == 1
    assert done.stdout.splitlines().count(f"  cd {destination}") == 1
    for name in AGENT_NAMES:
        assert done.stdout.count(name) == 1, done.stdout
    assert "next steps:" not in done.stderr


class _Recorder(PlainProgress):
    """Records each event with the agent's name, in arrival order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    def line(self, text: str) -> None:
        del text

    def _add(self, event: str, name: str, seconds: float = 0.0) -> None:
        with self.lock:
            self.events.append((event, name, seconds))

    def agent_started(self, name: str) -> None:
        self._add("started", name)

    def agent_ready(self, report: AgentReport) -> None:
        self._add("ready", report.name, report.seconds)

    def agent_committing(self, name: str) -> None:
        self._add("committing", name)

    def agent_finished(self, report: AgentReport) -> None:
        self._add("finished", report.name, report.seconds)


def test_agents_report_running_ready_committing_and_done_in_order(tmp_path: Path) -> None:
    recorder = _Recorder()
    report = generate(
        tmp_path / "svc",
        {"project_name": "svc"},
        options=GenerationOptions(provider="blueprint", max_parallel=2),
        progress=recorder,
    )
    events = recorder.events
    for name in AGENT_NAMES:
        steps = [event for event, agent, _ in events if agent == name]
        assert steps == ["started", "ready", "committing", "finished"], (name, events)
    running: set[str] = set()
    for event, name, _ in events:
        if event == "started":
            running.add(name)
        elif event == "ready":
            running.discard(name)
        assert len(running) <= 2, events  # only agents really computing count as running
    commits = [name for event, name, _ in events if event == "committing"]
    assert commits == list(AGENT_NAMES)
    at = {(event, name): index for index, (event, name, _) in enumerate(events)}
    for before, after in itertools.pairwise(commits):
        assert at[("finished", before)] < at[("committing", after)]
    spec_seconds = {name: seconds for event, name, seconds in events if event == "ready"}
    for agent in report.agents:
        assert agent.seconds > spec_seconds[agent.name]  # the commit's time is the agent's too
    assert report.seconds >= max(agent.seconds for agent in report.agents)


class _FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_agent_clock_stops_while_the_agent_waits_to_commit() -> None:
    fake = _FakeTime()
    clock = AgentClock(fake)
    assert clock.seconds("core_backend") is None
    clock.resume("core_backend")
    fake.now = 2.0
    assert clock.seconds("core_backend") == 2.0
    clock.pause("core_backend")  # spec ready
    fake.now = 10.0
    assert clock.seconds("core_backend") == 2.0  # waiting does not count
    clock.resume("core_backend")  # committing
    fake.now = 10.5
    clock.pause("core_backend")
    fake.now = 20.0
    assert clock.seconds("core_backend") == 2.5


def test_live_table_shows_each_agent_state_and_its_own_time() -> None:
    fake = _FakeTime()
    live = LiveProgress(["core_backend", "testing_qa"], clock=AgentClock(fake))
    assert live.live.transient  # erased at the end: the summary is printed once, after it
    live.agent_started("core_backend")
    live.agent_started("testing_qa")
    fake.now = 1.5
    live.agent_ready(AgentReport(name="testing_qa", source="blueprint", model="b", seconds=1.5))
    fake.now = 4.0

    def cells(name: str) -> list[str]:
        table = live._table()
        row = [str(cell) for cell in table.columns[0]._cells].index(name)
        return [str(column._cells[row]) for column in table.columns]

    assert cells("core_backend")[1] == "running"
    assert cells("core_backend")[5] == "4.0s"
    assert cells("testing_qa")[1] == "spec ready, waiting to commit"
    assert cells("testing_qa")[5] == "1.5s"
    live.agent_committing("testing_qa")
    fake.now = 5.0
    assert cells("testing_qa")[1] == "committing"
    assert cells("testing_qa")[5] == "2.5s"
