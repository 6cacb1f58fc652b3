"""``backendgen new`` at a real terminal: every question is read off the screen, then answered.

The child's stdin, stdout and stderr are one pty (pexpect), as for a person at a terminal.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pyte
import pytest
import yaml

from backendgen.agents.registry import AGENT_NAMES
from backendgen.generator.questionnaire import CUSTOM_SOURCE_PROMPT, DESCRIPTION_PROMPT
from backendgen.questions.domain_input import load_domain_input
from tests.fakes import request_name, running_server
from tests.helpers import synthetic_domain
from tests.integration.test_llm_describe import DESCRIPTION, DESIGN, DESIGNER, DesignerModel

BACKENDGEN = Path(sys.executable).with_name("backendgen")

DOWN = "\x1b[B"
SUBMIT_MULTILINE = "\x1b\r"  # Esc, Enter: submits a multiline answer
CLEAR_LINE = "\x15"  # Ctrl-U
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

QUESTIONS_BEFORE_DOMAIN = ("Project name (letters, digits", "One sentence on what the service does")
QUESTIONS_AFTER_DOMAIN = (
    "Web framework",
    "Authentication",
    "Compliance regimes",
    "Expected scale",
    "Deployment target",
    "CI provider",
)

LIBRARY_DOMAIN = """\
title: Library
entities:
  - name: Member
    fields:
      - {name: email, type: email, max_length: 120, unique: true, pii: true}
  - name: Loan
    fields:
      - {name: due_on, type: date}
    relationships:
      - {name: member, target: Member}
"""


def _child_env(tmp_path: Path) -> dict[str, str]:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Pty User\n\temail = pty@example.com\n")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"OPENAI_API_KEY", "OPENAI_BASE_URL", "BACKENDGEN_MODEL"}
    }
    env.update(
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        TERM="xterm-256color",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    return env


class Session:
    """``backendgen new DEST`` on a pty, with everything it printed."""

    def __init__(
        self, tmp_path: Path, destination: str, *args: str, env: dict[str, str] | None = None
    ) -> None:
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            str(BACKENDGEN),
            ["new", destination, *args],
            cwd=str(tmp_path),
            env=_child_env(tmp_path) | (env or {}),
            dimensions=(40, 120),
            encoding="utf-8",
            timeout=60,
        )
        self.child.logfile_read = self.screen

    def answer(self, help_text: str, keys: str = "\r") -> None:
        """Wait until the question is on the screen, then type the answer."""
        self.child.expect_exact(help_text)
        self.child.send(keys)

    def finish(self, timeout: float = 300) -> int:
        """Wait for the child to exit and return its exit status."""
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        status = self.child.exitstatus
        assert status is not None, self.screen.getvalue()[-3000:]
        return int(status)

    def close(self) -> None:
        """Kill the child if a test failed half-way."""
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def sessions() -> Iterator[list[Session]]:
    started: list[Session] = []
    yield started
    for session in started:
        session.close()


def _plain(screen: str) -> str:
    """The text of a terminal stream, without its escape sequences."""
    return ESCAPES.sub("", screen).replace("\r", "")


def _final_screen(screen: str) -> list[str]:
    """What a 120x40 terminal shows once the stream has been drawn on it."""
    terminal = pyte.Screen(120, 40)
    pyte.Stream(terminal).feed(screen)
    return [line.rstrip() for line in terminal.display]


def _staging_dirs(parent: Path, destination: str) -> list[Path]:
    return list(parent.glob(f".{destination}.*"))


def test_every_question_is_asked_and_answered_before_the_progress_display(
    tmp_path: Path, sessions: list[Session]
) -> None:
    session = Session(tmp_path, "clinic-api")
    sessions.append(session)
    session.answer("Project name (letters, digits")  # the default: DEST's name
    session.answer("One sentence on what the service does")
    session.answer("Business domain", DOWN + "\r")  # E-commerce -> Healthcare
    session.answer("Web framework")
    session.answer("Database")
    session.answer("Authentication")
    # Healthcare checks HIPAA and GDPR: untick HIPAA, tick SOX.
    session.answer("Compliance regimes", DOWN + " " + DOWN + " " + "\r")
    session.answer("Expected scale")
    session.answer("Deployment target", DOWN + "\r")  # Kubernetes -> Docker Compose
    session.answer("CI provider", DOWN + "\r")  # GitHub Actions -> GitLab CI
    session.answer("Free-text requirements", "Audit every read" + SUBMIT_MULTILINE)
    asked = len(session.screen.getvalue())
    status = session.finish()
    screen = session.screen.getvalue()
    assert status == 0, screen[-3000:]
    # Nothing of the progress display was drawn while questions were on the screen.
    assert "core_backend" not in screen[:asked]
    assert "core_backend" in screen[asked:]
    # The terminal ends with one summary: the live table erased itself, and each agent's row
    # is the summary's.
    shown = _final_screen(screen)
    assert sum("next steps:" in line for line in shown) == 1, "\n".join(shown)
    for name in AGENT_NAMES:
        assert sum(name in line for line in shown) == 1, "\n".join(shown)
    assert any(line.strip() == "cd clinic-api" for line in shown), "\n".join(shown)
    assert any(line.strip().startswith("make test") for line in shown)
    recorded = yaml.safe_load((tmp_path / "clinic-api" / ".copier-answers.yml").read_text())
    assert recorded["project_name"] == "clinic-api"
    assert recorded["project_description"] == "clinic-api backend service"
    assert recorded["domain"] == "healthcare"
    assert sorted(recorded["compliance"]) == ["gdpr", "sox"]
    assert recorded["deployment"] == "docker_compose"
    assert recorded["ci_provider"] == "gitlab"
    assert recorded["requirements"] == "Audit every read"
    assert _staging_dirs(tmp_path, "clinic-api") == []


def test_ctrl_c_during_the_questions_exits_130_and_writes_nothing(
    tmp_path: Path, sessions: list[Session]
) -> None:
    session = Session(tmp_path, "shop")
    sessions.append(session)
    session.answer("Project name (letters, digits")
    session.answer("One sentence on what the service does")
    session.child.expect_exact("Business domain")
    session.child.sendcontrol("c")
    status = session.finish(timeout=60)
    screen = session.screen.getvalue()
    assert status == 130, screen[-3000:]
    # After the question's own lines ("(Use arrow keys)"), the one message is all there is.
    _assert_interrupted(screen, "(Use arrow keys)")
    assert "AnswersMap" not in screen
    assert not (tmp_path / "shop").exists()
    assert _staging_dirs(tmp_path, "shop") == []


def _assert_interrupted(screen: str, last_output: str) -> None:
    after = _plain(screen).rsplit(last_output, 1)[1]
    assert [line.strip() for line in after.splitlines() if line.strip()] == [
        "backendgen: interrupted; nothing was written"
    ], after
    assert "Traceback" not in screen


ALL_BUT_THE_DOMAIN_FILE = [
    f"-d{key}={value}"
    for key, value in {
        "project_name": "lib",
        "project_description": "Lending",
        "domain": "custom",
        "framework": "fastapi",
        "database": "sqlite",
        "auth": "jwt",
        "compliance": "gdpr",
        "scale": "small",
        "deployment": "kubernetes",
        "ci_provider": "none",
        "requirements": "",
    }.items()
]


def test_ctrl_c_at_the_domain_file_prompt_exits_130_and_writes_nothing(
    tmp_path: Path, sessions: list[Session]
) -> None:
    session = Session(tmp_path, "lib", *ALL_BUT_THE_DOMAIN_FILE)
    sessions.append(session)
    session.child.expect_exact("Domain spec file")
    session.child.send("lib")
    session.child.sendcontrol("c")
    status = session.finish(timeout=60)
    screen = session.screen.getvalue()
    assert status == 130, screen[-3000:]
    assert "backendgen: interrupted; nothing was written" in _plain(screen)
    assert "Traceback" not in screen
    assert not (tmp_path / "lib").exists()
    assert _staging_dirs(tmp_path, "lib") == []


def test_ctrl_c_during_generation_exits_130_and_leaves_nothing(
    tmp_path: Path, sessions: list[Session]
) -> None:
    # A domain of 40 entities: the agents' commits take long enough, even on a loaded machine,
    # for the interrupt to land while generation is still running.
    domain = tmp_path / "big.yml"
    domain.write_text(yaml.safe_dump(synthetic_domain(40)))
    session = Session(tmp_path, "shop", "--defaults", "--domain", str(domain))
    sessions.append(session)
    session.child.expect_exact("scaffold")
    session.child.sendcontrol("c")
    status = session.finish(timeout=120)
    screen = session.screen.getvalue()
    assert status == 130, screen[-3000:]
    assert _plain(screen).count("backendgen: interrupted; nothing was written") == 1
    assert "Traceback" not in screen
    assert "Warning" not in screen
    assert "next steps:" not in screen
    assert not (tmp_path / "shop").exists()
    assert _staging_dirs(tmp_path, "shop") == []


def test_custom_domain_asks_for_a_file_and_checks_it_as_it_is_typed(
    tmp_path: Path, sessions: list[Session]
) -> None:
    domain = tmp_path / "library.yml"
    domain.write_text(LIBRARY_DOMAIN)
    session = Session(tmp_path, "library", "-d", "database=sqlite")
    sessions.append(session)
    session.answer("Project name (letters, digits")
    session.answer("One sentence on what the service does")
    session.answer("Business domain", DOWN * 6 + "\r")  # the last choice: Custom domain spec
    session.answer("Web framework")
    session.answer("Authentication")
    session.answer("Compliance regimes")
    session.answer("Expected scale")
    session.answer("Deployment target")
    session.answer("CI provider")
    session.answer("Free-text requirements", SUBMIT_MULTILINE)
    session.answer("Domain spec file", str(tmp_path / "missing.yml"))
    session.child.expect_exact("cannot read domain file")
    session.child.send("\r")  # refused (or it closes the completion menu): the prompt stays
    session.child.send(CLEAR_LINE + str(domain))
    # Enter closes the path completion menu if it is open, as a person sees; then it accepts.
    for _ in range(3):
        session.child.send("\r")
        if session.child.expect_exact(["provider: ", pexpect.TIMEOUT], timeout=5) == 0:
            break
    status = session.finish()
    screen = session.screen.getvalue()
    assert status == 0, screen[-3000:]
    project = tmp_path / "library"
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["domain"] == "custom"
    assert recorded["project_name"] == "library"
    assert recorded["database"] == "sqlite"
    models = {path.stem for path in (project / "core" / "models").glob("*.py")}
    assert {"member", "loan"} <= models, sorted(models)


def test_with_an_llm_the_custom_domain_can_be_described_in_prose(
    tmp_path: Path, sessions: list[Session]
) -> None:
    model = DesignerModel()
    with running_server(model) as fake:
        session = Session(
            tmp_path,
            "clinic",
            "-d",
            "database=sqlite",
            "--provider",
            "openai",
            "--base-url",
            fake.base_url,
            env={"OPENAI_API_KEY": "test-key"},
        )
        sessions.append(session)
        for help_text in QUESTIONS_BEFORE_DOMAIN:
            session.answer(help_text)
        session.answer("Business domain", DOWN * 6 + "\r")  # Custom domain spec
        for help_text in QUESTIONS_AFTER_DOMAIN:
            session.answer(help_text)
        session.answer("Free-text requirements", SUBMIT_MULTILINE)
        session.answer(CUSTOM_SOURCE_PROMPT)  # the first choice: a description
        session.answer(DESCRIPTION_PROMPT, SUBMIT_MULTILINE)
        session.child.expect_exact("describe the domain in a sentence or more")
        session.child.send(DESCRIPTION + SUBMIT_MULTILINE)
        status = session.finish()
        designs = [body for body in fake.bodies if request_name(body) == DESIGNER]
    screen = session.screen.getvalue()
    assert status == 0, screen[-3000:]
    assert len(designs) == 2  # the first design broke the bounds and was asked again
    assert DESCRIPTION in str(designs[0]["messages"])
    project = tmp_path / "clinic"
    saved = load_domain_input(project / "domain.yml").domain
    assert [entity.name for entity in saved.entities] == [e["name"] for e in DESIGN["entities"]]
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["domain"] == "custom"
    assert recorded["database"] == "sqlite"


def test_a_domain_file_flag_means_the_domain_question_is_not_asked(
    tmp_path: Path, sessions: list[Session]
) -> None:
    domain = tmp_path / "library.yml"
    domain.write_text(LIBRARY_DOMAIN)
    flags = [flag for flag in ALL_BUT_THE_DOMAIN_FILE if not flag.startswith("-ddomain=")]
    flags.remove("-dproject_description=Lending")
    session = Session(tmp_path, "library", *flags, "--domain", str(domain))
    sessions.append(session)
    session.answer("One sentence on what the service does", CLEAR_LINE + "Lending books\r")
    status = session.finish()
    screen = session.screen.getvalue()
    assert status == 0, screen[-3000:]
    assert "Business domain" not in screen
    assert "Domain spec file" not in screen
    recorded = yaml.safe_load((tmp_path / "library" / ".copier-answers.yml").read_text())
    assert recorded["domain"] == "custom"
    assert recorded["project_description"] == "Lending books"


def test_bad_flags_fail_before_the_first_question(tmp_path: Path, sessions: list[Session]) -> None:
    session = Session(tmp_path, "shop", "--provider", "openai")  # no OPENAI_API_KEY
    sessions.append(session)
    status = session.finish(timeout=60)
    screen = _plain(session.screen.getvalue())
    assert status == 2, screen
    assert "Project name" not in screen
    lines = [line for line in screen.splitlines() if line.strip()]
    assert len(lines) == 1, screen
    assert lines[0].startswith("backendgen: error: ")
    assert "OPENAI_API_KEY" in lines[0]
    assert list(tmp_path.glob("shop*")) == []
