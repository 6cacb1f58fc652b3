"""Helpers for running backendgen and the tools of generated projects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from backendgen.questions.answers import Answers

if TYPE_CHECKING:
    from backendgen.agents.blueprints.context import BlueprintInput
    from backendgen.agents.security_compliance import SecurityComplianceSpec

SHOP_ANSWERS = Answers(
    project_name="shop",
    project_description="A shop",
    domain="ecommerce",
    framework="fastapi",
    database="postgresql",
    auth="jwt",
    compliance=["gdpr"],
    scale="medium",
    deployment="kubernetes",
    ci_provider="github",
)
"""Answers of an e-commerce backend, for tests that build agent inputs directly."""

VENV_BIN = Path(sys.executable).parent
"""The shared environment's bin directory (backendgen, copier, ruff, mypy, pytest)."""


def run(
    args: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing text output."""
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_backendgen(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``backendgen`` command."""
    return run([str(VENV_BIN / "backendgen"), *args], cwd=cwd, env=env)


def project_env(**extra: str) -> dict[str, str]:
    """Environment for running a generated project's tools in the shared venv.

    pytest-xdist's worker variables are dropped so the project's own pytest run is plain.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run_project_tests(project: Path, *pytest_args: str) -> subprocess.CompletedProcess[str]:
    """Run a generated project's own tests in the shared environment."""
    return run(
        [sys.executable, "-m", "pytest", "-q", *pytest_args, "-p", "no:cacheprovider"],
        cwd=project,
        env=project_env(),
    )


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Map every file below ``root`` to its content."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def synthetic_domain(entities: int) -> dict[str, object]:
    """A YAML-ready domain of ``entities`` entities, each referencing the one before it."""
    items: list[dict[str, object]] = []
    samples: dict[str, dict[str, object]] = {}
    for index in range(entities):
        name = f"Item{index:03d}"
        fields = [
            {
                "name": "title",
                "type": "string",
                "max_length": 120,
                "description": f"Title of {name}",
            },
            {"name": "quantity", "type": "integer", "minimum": 0, "maximum": 1000},
            {"name": "price", "type": "decimal", "minimum": 0, "required": False},
            {"name": "active", "type": "boolean"},
            {"name": "state", "type": "enum", "enum": "ItemState", "required": False},
        ]
        relationships = (
            [{"name": "parent", "target": f"Item{index - 1:03d}", "required": False}]
            if index
            else []
        )
        items.append({"name": name, "fields": fields, "relationships": relationships})
        samples[name] = {"title": f"{name} sample", "quantity": 5, "active": True}
    return {
        "title": "Synthetic",
        "entities": items,
        "enums": [{"name": "ItemState", "values": ["DRAFT", "LIVE", "RETIRED"]}],
        "samples": samples,
    }


HOSTILE = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\n",
    "{{ x }}",
    "{% raw %}",
    "{#",
    "${HOME}",
    "$(id)",
    "`id`",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\u200f",
    "é",
    "日本",
    "😀",
    "|",
    "<!--",
    "*",
    "# ",
    "- ",
    "]]>",
    "</script>",
    "%s",
    "{0}",
    "NULL",
    "; DROP TABLE x; --",
]
"""Fragments that break code when pasted raw into Python, YAML, JSON, SQL, Markdown or shell."""


def hostile_domain(texts: list[str]) -> dict[str, object]:
    """A YAML-ready two-entity domain whose every free text comes from ``texts``."""
    t = iter(texts * 4)
    return {
        "title": "Hostile",
        "summary": next(t),
        "entities": [
            {
                "name": "Note",
                "description": next(t),
                "rules": [next(t)],
                "fields": [
                    {"name": "body", "type": "text", "description": next(t)},
                    {"name": "title", "type": "string", "max_length": 300, "description": next(t)},
                    {"name": "kind", "type": "enum", "enum": "NoteKind", "required": False},
                ],
            },
            {
                "name": "Tag",
                "description": next(t),
                "fields": [{"name": "label", "type": "string", "max_length": 300}],
                "relationships": [{"name": "note", "target": "Note", "description": next(t)}],
            },
        ],
        "enums": [{"name": "NoteKind", "description": next(t), "values": ["PLAIN", "RICH"]}],
        "glossary": {"Note": next(t)},
        "samples": {"Note": {"body": next(t), "title": next(t)}, "Tag": {"label": next(t)}},
    }


class _CountingHandler(BaseHTTPRequestHandler):
    """Answers every request with 500 and records its path in ``requests``."""

    requests: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.requests.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *_: object) -> None:
        return


@contextmanager
def counting_llm_endpoint() -> Iterator[tuple[str, list[str]]]:
    """Serve a loopback OpenAI-style endpoint; yield its base URL and the requests it got."""
    _CountingHandler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", _CountingHandler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def copy_bundled_template(path: Path) -> None:
    """Copy the bundled template's files (``copier.yml``, ``templates/``, ...) into ``path``."""
    from backendgen.generator.template_source import TEMPLATE_DIRS, bundled_template_root

    root = bundled_template_root()
    path.mkdir(parents=True)
    shutil.copy2(root / "copier.yml", path / "copier.yml")
    for directory in TEMPLATE_DIRS:
        shutil.copytree(
            root / directory,
            path / directory,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


def git_out(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stripped stdout (failing loudly)."""
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def commit_and_tag(repo: Path, message: str, tag: str | None = None) -> None:
    """Commit every change of the work tree ``repo`` (created if needed), then tag it."""
    if not (repo / ".git").exists():
        git_out(repo, "init", "--quiet", "--initial-branch=main")
    git_out(repo, "add", "--all")
    git_out(repo, "commit", "--quiet", "--allow-empty", "-m", message)
    if tag is not None:
        git_out(repo, "tag", tag)


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` (failing when it is not there)."""
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{path} does not hold {old!r} exactly once"
    path.write_text(text.replace(old, new), "utf-8")


def plain_copier_copy(
    destination: Path, answers: dict[str, object] | None = None
) -> subprocess.CompletedProcess[str]:
    """Render the bundled template with plain ``copier copy`` (no backendgen), as users may.

    Args:
        destination: The project directory to create.
        answers: Answers to pass as a data file (Copier's private ``_`` keys are dropped);
            None takes every default.
    """
    import yaml

    from backendgen.generator.template_source import bundled_template_root

    command = [str(VENV_BIN / "copier"), "copy", "--trust", "--defaults", "--quiet"]
    if answers is not None:
        data = destination.parent / f"{destination.name}.answers.yml"
        data.write_text(yaml.safe_dump({k: v for k, v in answers.items() if not k.startswith("_")}))
        command += ["--data-file", str(data)]
    return run([*command, str(bundled_template_root()), str(destination)], env=project_env())


def catalogue_security(
    domain_name: str, regimes: list[str]
) -> tuple[SecurityComplianceSpec, BlueprintInput]:
    """The security blueprint's spec for a catalogue domain, and the input it was made from.

    The core spec is the core blueprint's, as in a generation.
    """
    from backendgen.agents.blueprints.context import BlueprintInput
    from backendgen.agents.core_backend.blueprint import core_blueprint
    from backendgen.agents.security_compliance.blueprint import security_blueprint
    from backendgen.questions.domain import load_catalogue_domain

    answers = SHOP_ANSWERS.model_copy(update={"domain": domain_name, "compliance": regimes})
    domain = load_catalogue_domain(domain_name)
    core = core_blueprint(BlueprintInput(answers, domain))
    source = BlueprintInput(answers, domain, {"core_backend": core})
    return security_blueprint(source), source
