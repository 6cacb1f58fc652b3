"""Validators that scan the whole project: Markdown, secrets, infrastructure security, OpenAPI.

Like :mod:`backendgen.verify.validators`, each takes a generated project's path, runs the real
tool and returns the files it checked, raising :class:`~backendgen.errors.CheckFailedError` with
the tool's output when it fails and :class:`~backendgen.errors.ToolMissingError` when the tool
is not installed. checkov lives in its own virtualenv (it pins ``packaging`` and breaks pytest):
``tests/install-validators.sh VENV`` puts it in ``.venv-checkov`` beside ``VENV``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from backendgen.errors import CheckFailedError, ToolMissingError
from backendgen.verify.tools import find_tool, project_files, relative, run_tool

OPENAPI_DOCUMENT = "docs/openapi.json"
"""Where a generated project commits its OpenAPI document (``make openapi`` rewrites it)."""

MARKDOWN = ("README.md", "docs/*.md", "docs/**/*.md")
"""The Markdown ``pymarkdown scan`` reads (its settings: the project's ``.pymarkdown``)."""

CHECKOV_FRAMEWORKS = "dockerfile,kubernetes,github_actions,secrets"
"""What checkov scans (its skips, each with a reason: the project's ``.checkov.yaml``)."""

CHECKOV_ENV = "BACKENDGEN_CHECKOV"
"""Variable naming the checkov program, when it is not in a ``.venv-checkov`` beside the venv."""

INSTALL_CHECKOV = (
    "python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov "
    "(beside backendgen's virtualenv, as tests/install-validators.sh does; "
    f"or set {CHECKOV_ENV} to its checkov; never in the same venv as pytest)"
)
"""How to install checkov where :func:`find_checkov` looks."""

NOT_SCANNED_FOR_SECRETS = frozenset({".copier-answers.yml", ".backendgen", "CACHEDIR.TAG"})
"""What tools write: Copier's answers (the agents' specs), backendgen's report (commit and spec
digests, which look like hex keys) and cache markers."""

CACHES = frozenset({".ruff_cache", ".pytest_cache", ".hypothesis", ".cache"})
"""Tool caches, never committed (the project's ``.gitignore``)."""


def pymarkdown(project: Path) -> list[Path]:
    """Markdown: pymarkdownlnt's scan of the README and docs/ (the project's ``.pymarkdown``)."""
    files = project_files(project, MARKDOWN)
    if files:
        run_tool([find_tool("pymarkdown"), "scan", *relative(project, files)], project)
    return files


def detect_secrets(project: Path) -> list[Path]:
    """Every text file: detect-secrets finds no credential (fixtures carry its allowlist pragma)."""
    files = [
        path
        for path in project_files(project, ["**/*"])
        if not NOT_SCANNED_FOR_SECRETS.union(CACHES).intersection(path.relative_to(project).parts)
    ]
    if files:
        run_tool([find_tool("detect-secrets-hook"), *relative(project, files)], project)
    return files


def find_checkov() -> str:
    """The checkov program: ``$BACKENDGEN_CHECKOV``, ``.venv-checkov`` beside the venv, or PATH.

    Raises:
        ToolMissingError: If it is in none of those places, with how to install it.
    """
    given = os.environ.get(CHECKOV_ENV)
    if given:
        if not Path(given).is_file():
            raise ToolMissingError(f"checkov ({CHECKOV_ENV}={given})", INSTALL_CHECKOV)
        return given
    beside = Path(sys.executable).parent.parent.parent / ".venv-checkov" / "bin" / "checkov"
    if beside.is_file():
        return str(beside)
    try:
        return find_tool("checkov")
    except ToolMissingError:
        raise ToolMissingError("checkov", INSTALL_CHECKOV) from None


def checkov(project: Path) -> list[Path]:
    """Dockerfile, Kubernetes manifests, workflows and secrets: checkov, offline."""
    files = project_files(
        project,
        [
            "**/Dockerfile",
            "infrastructure/k8s/*.yaml",
            ".github/workflows/*.yml",
            ".github/workflows/*.yaml",
        ],
    )
    if files:
        run_tool(
            [
                find_checkov(),
                "-d",
                ".",
                "--framework",
                CHECKOV_FRAMEWORKS,
                "--quiet",
                "--compact",
                "--skip-download",
            ],
            project,
        )
    return files


def openapi_document(project: Path) -> list[Path]:
    """The committed ``docs/openapi.json``: openapi-spec-validator (drift: the project's test).

    A project with an app (``core/main.py``) but no document fails: ``make openapi`` writes it.
    """
    files = project_files(project, [OPENAPI_DOCUMENT])
    if not files and (project / "core" / "main.py").is_file():
        raise CheckFailedError(f"{OPENAPI_DOCUMENT} is missing: `make openapi` writes it")
    for document in files:
        run_tool([find_tool("openapi-spec-validator"), str(document)], project)
    return files
