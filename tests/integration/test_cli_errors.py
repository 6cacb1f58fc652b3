"""Bad input exits 2 with one line on stderr and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_backendgen, tree_snapshot

BAD_ANSWERS = {
    "empty project name": ["-d", "project_name="],
    "non-identifier project name": ["-d", "project_name=my service!"],
    "project name starting with a digit": ["-d", "project_name=1shop"],
    "unknown domain": ["-d", "domain=astrology"],
    "unknown question": ["-d", "colour=blue"],
    "bad compliance regime": ["-d", "compliance=[gdpr, iso9001]"],
    "unknown provider": ["--provider", "telepathy"],
    "negative parallelism": ["--max-parallel", "0"],
    "empty core batches": ["--batch-size", "0"],
    "missing answers file": ["--answers", "/nonexistent/answers.yml"],
    "missing domain file": ["--domain", "/nonexistent/domain.yml"],
    "custom domain without a file": ["-d", "domain=custom"],
    "missing template": ["--template", "/nonexistent/template"],
    "unknown option": ["--colour", "blue"],
    "django with regimes it lacks controls for": ["-d", "framework=django"],
    "django with SOX, gaps refused": [
        *("-d", "framework=django", "-d", "compliance=[sox]", "-d", "accept_control_gaps=false"),
    ],
}


def _assert_one_line_error(stderr: str) -> None:
    lines = [
        line for line in stderr.splitlines() if line.strip() and not line.startswith("provider:")
    ]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("backendgen: error: "), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("args", BAD_ANSWERS.values(), ids=BAD_ANSWERS.keys())
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, args: list[str]) -> None:
    destination = tmp_path / "parent" / "service"
    done = run_backendgen("new", str(destination), "--defaults", *args)
    assert done.returncode == 2, done.stderr
    _assert_one_line_error(done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_invalid_answers_file_exits_2(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("project_name: [not, a, name]\n")
    done = run_backendgen("new", str(tmp_path / "out"), "--answers", str(answers))
    assert done.returncode == 2
    _assert_one_line_error(done.stderr)
    assert "project_name" in done.stderr
    assert not (tmp_path / "out").exists()


def test_invalid_domain_file_names_the_problem(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(
        "entities:\n"
        "  - name: Order\n"
        "    fields: [{name: total, type: decimal}]\n"
        "    relationships: [{name: buyer, target: Customer}]\n"
    )
    done = run_backendgen("new", str(tmp_path / "out"), "--defaults", "--domain", str(domain))
    assert done.returncode == 2
    _assert_one_line_error(done.stderr)
    assert "unknown entity 'Customer'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_existing_non_empty_destination_is_never_modified(tmp_path: Path) -> None:
    destination = tmp_path / "service"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine\n")
    (destination / "sub").mkdir()
    (destination / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = tree_snapshot(tmp_path)
    done = run_backendgen("new", str(destination), "--defaults")
    assert done.returncode == 2
    _assert_one_line_error(done.stderr)
    assert "not empty" in done.stderr
    assert tree_snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["service"]


def test_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    destination = tmp_path / "service"
    destination.write_text("a file\n")
    done = run_backendgen("new", str(destination), "--defaults")
    assert done.returncode == 2
    _assert_one_line_error(done.stderr)
    assert destination.read_text() == "a file\n"


def test_empty_existing_destination_is_used(tmp_path: Path) -> None:
    destination = tmp_path / "service"
    destination.mkdir()
    done = run_backendgen("new", str(destination), "--defaults", "-d", "project_name=svc")
    assert done.returncode == 0, done.stderr
    assert (destination / ".copier-answers.yml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["service"]


def test_django_refuses_the_controls_it_lacks_by_name(tmp_path: Path) -> None:
    destination = tmp_path / "service"
    done = run_backendgen(
        "new", str(destination), "--defaults", "-d", "framework=django", "-d", "domain=fintech"
    )
    assert done.returncode == 2, done.stderr
    _assert_one_line_error(done.stderr)
    for gap in (
        "SOX (hash chained audit, sox controls)",
        "PCI DSS (field encryption, card tokenization)",
    ):
        assert gap in done.stderr
    assert "accept_control_gaps=true" in done.stderr
    assert not destination.exists()
