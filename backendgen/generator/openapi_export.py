"""Write a generated project's ``docs/openapi.json`` from its app, as ``make openapi`` does.

The committed document is the running app's own (FastAPI's ``app.openapi()``), so it cannot be
rendered by Jinja; backendgen writes it after every render that can change the API (in
``backendgen new`` once, in the last agent commit whose slot the app's code reads: the security
agent's; ``regenerate``, ``revert``, ``update``) with the
project's module ``core.openapi_document``, run by the interpreter running backendgen when that
one has the generated stack installed. Plain ``copier copy``/``copier update`` refresh it through
the template's task (with the project's ``.venv``); otherwise ``make openapi`` does, and the
project's test names that command while the file is stale.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backendgen.generator.staging import StagedTemplate

DOCUMENT = Path("docs") / "openapi.json"
"""The committed document, relative to the project."""

EXPORTER = Path("core") / "openapi_document.py"
"""The project's module that writes it (absent in templates older than the document)."""

API_PACKAGES = ("core/", "security/")
"""Template paths whose files make up the app, so a slot they read can change the API."""

TIMEOUT_SECONDS = 300
"""The longest an export may take."""

DROPPED = (
    "ENVIRONMENT",
    "JWT_SECRET",
    "FIELD_ENCRYPTION_KEY",
    "FIELD_INDEX_KEY",
    "APP_NAME",
    "DOCS_ENABLED",
)
"""Caller settings that must not reach the document (it is written with the app's defaults)."""


def export_openapi(project: Path) -> str | None:
    """Rewrite ``project/docs/openapi.json`` from the project's app.

    Args:
        project: A rendered project.

    Returns:
        None when written (or when the project has no exporter), else why it could not be:
        the app did not import here (its dependencies are missing, or a merge left conflicts).
    """
    if not (project / EXPORTER).is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="backendgen-openapi-") as scratch:
        env = {key: value for key, value in os.environ.items() if key not in DROPPED}
        env.update(
            PYTHONDONTWRITEBYTECODE="1",
            DATABASE_URL=f"sqlite:///{Path(scratch) / 'export.db'}",
            PYTHONPATH=str(project),
        )
        try:
            done = subprocess.run(
                [sys.executable, "-m", "core.openapi_document", str(project / DOCUMENT)],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"{DOCUMENT} not written: the app took over {TIMEOUT_SECONDS}s to load"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return f"{DOCUMENT} not written ({lines[-1] if lines else 'no output'}): run make openapi"
    return None


def changes_app(readers: StagedTemplate | None, slot: str) -> bool:
    """Whether a slot's render can change the app (a template file of the app reads it).

    Args:
        readers: The template's files grouped by the slots they read (None: unknown, so every
            slot may change the app).
        slot: A slot.
    """
    paths = readers.sources.get(slot, ()) if readers is not None else API_PACKAGES
    return any(path.startswith(API_PACKAGES) for path in paths)


def export_slot(readers: StagedTemplate | None, slots: Sequence[str]) -> str | None:
    """The slot whose commit carries the document: the last, in commit order, that changes the app.

    ``backendgen new`` exports the document once, so the commits before that one carry none
    (the app's code is not complete before it), and the ones after leave it as it is.

    Args:
        readers: The template's files grouped by the slots they read (None: unknown).
        slots: The slots in the order they are committed.
    """
    changing = [slot for slot in slots if changes_app(readers, slot)]
    return changing[-1] if changing else None


def refresh_openapi(
    project: Path,
    say: Callable[[str], None],
    warned: set[str],
) -> None:
    """Rewrite the document, giving a warning once when it cannot be written.

    Args:
        project: The project being generated.
        say: Receives a warning when the document cannot be written.
        warned: Warnings already given (each is given once).
    """
    problem = export_openapi(project)
    if problem and problem not in warned:
        warned.add(problem)
        say(f"warning: {problem}")
