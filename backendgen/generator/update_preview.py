"""What a template update will do to each file, worked out before the update runs.

Three versions of every template file are compared: *base* (the project's recorded answers
rendered at its recorded template version), *theirs* (the same answers at the target version)
and *ours* (the project's work tree). A file both sides changed is merged on a temporary copy
with ``git merge-file`` to tell a clean merge from a conflict, as Copier's own update does when
a patch does not apply.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from backendgen.generator.render import ANSWERS_FILE, render
from backendgen.generator.template_source import TemplateRef


class Change(StrEnum):
    """How one template file fares in an update."""

    UNCHANGED = "unchanged"
    TEMPLATE = "template-only change"
    USER = "user-only change"
    MERGES = "both changed (merges cleanly)"
    CONFLICT = "expected conflict"
    DELETED = "deleted by the user"


@dataclass(frozen=True)
class Preview:
    """The per-file outcome of updating a project from one template version to another."""

    current: str
    """The project's recorded template version."""
    target: str
    """The version the update moves to."""
    files: Mapping[str, Change]
    """Every file of either template version, by project-relative path."""

    def paths(self, change: Change) -> list[str]:
        """Return the files with outcome ``change``, sorted."""
        return sorted(path for path, kind in self.files.items() if kind is change)

    def lines(self) -> list[str]:
        """Return the preview as printed: one line per file that is not unchanged."""
        lines = [f"template update {self.current} -> {self.target}:"]
        for change in Change:
            if change is not Change.UNCHANGED:
                lines += [f"  {change.value:<30} {path}" for path in self.paths(change)]
        lines.append(f"  {len(self.paths(Change.UNCHANGED))} files unchanged")
        return lines

    def summary(self) -> str:
        """Return the commit-message body: a count per outcome, then the changed files."""
        counts = ", ".join(
            f"{len(self.paths(change))} {change.value}" for change in Change if self.paths(change)
        )
        return "\n".join([f"Preview: {counts}.", "", *self.lines()[1:-1]]).rstrip()


def render_version(
    src: str, vcs_ref: str, answers: Mapping[str, Any], destination: Path, *, trusted: bool
) -> None:
    """Render ``src`` at ``vcs_ref`` with ``answers`` into the empty ``destination``.

    Raises:
        UserInputError: When the template needs ``--trust``.
        TemplateError: When Copier cannot render that version.
    """
    data = {key: value for key, value in answers.items() if not str(key).startswith("_")}
    render(destination, TemplateRef(src=src, vcs_ref=vcs_ref, trusted=trusted), data)


def _render_both(
    src: str,
    base: tuple[str, Path],
    theirs: tuple[str, Path],
    answers: Mapping[str, Any],
    *,
    trusted: bool,
) -> None:
    """Render both versions: *base* in a forked child while this process renders *theirs*.

    Copier's render is CPU-bound and single-threaded, so two cores halve the preview's wall
    time. Without ``fork``, a second core or when other threads run (forking them is unsafe),
    the versions render one after the other.
    """
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        render_version(src, base[0], answers, base[1], trusted=trusted)
        render_version(src, theirs[0], answers, theirs[1], trusted=trusted)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        child = pool.submit(render_version, src, base[0], dict(answers), base[1], trusted=trusted)
        render_version(src, theirs[0], answers, theirs[1], trusted=trusted)
        child.result()


def _files(root: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(root)): path
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None and path.is_file() else None


def merges_cleanly(base: bytes, ours: bytes, theirs: bytes, scratch: Path) -> bool:
    """Tell whether ``git merge-file`` merges the three versions without a conflict.

    Args:
        base: The common ancestor (empty when both sides added the file).
        ours: The project's version.
        theirs: The new template version.
        scratch: A directory for the temporary copies.

    Returns:
        True when the merge has no conflict.
    """
    copies = []
    for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
        copy = scratch / name
        copy.write_bytes(content)
        copies.append(str(copy))
    done = subprocess.run(["git", "merge-file", "-p", *copies], capture_output=True, check=False)
    return done.returncode == 0


def classify(base: bytes | None, theirs: bytes | None, ours: bytes | None, scratch: Path) -> Change:
    """Return how a file with these three versions fares (None: the file is absent).

    Args:
        base: The file as the project's template version renders it.
        theirs: The file as the target version renders it.
        ours: The file in the project's work tree.
        scratch: A directory for the temporary merge copies.

    Returns:
        The outcome.
    """
    if base == theirs:
        if ours == base:
            return Change.UNCHANGED
        return Change.DELETED if ours is None else Change.USER
    if ours == base:
        return Change.TEMPLATE
    if ours == theirs:
        return Change.MERGES
    return _both_changed(base, theirs, ours, scratch)


def _both_changed(
    base: bytes | None, theirs: bytes | None, ours: bytes | None, scratch: Path
) -> Change:
    """The outcome of a file the template and the user changed differently."""
    if ours is None:
        return Change.DELETED
    if theirs is None:
        return Change.CONFLICT
    clean = merges_cleanly(base or b"", ours, theirs, scratch)
    return Change.MERGES if clean else Change.CONFLICT


def preview_update(
    project: Path,
    src: str,
    current: str,
    target: str,
    answers: Mapping[str, Any],
    *,
    trusted: bool,
) -> Preview:
    """Work out each template file's outcome of updating ``project`` to ``target``.

    Args:
        project: The project (its work tree is *ours*).
        src: The template source recorded in the project.
        current: The project's template version (renders *base*).
        target: The version to update to (renders *theirs*).
        answers: The project's recorded answers.
        trusted: Allow the template's Jinja extensions.

    Returns:
        The preview.
    """
    with tempfile.TemporaryDirectory(prefix="backendgen-preview-") as tmp:
        base_dir, theirs_dir, scratch = Path(tmp, "base"), Path(tmp, "theirs"), Path(tmp, "m")
        scratch.mkdir()
        _render_both(src, (current, base_dir), (target, theirs_dir), answers, trusted=trusted)
        base, theirs = _files(base_dir), _files(theirs_dir)
        files: dict[str, Change] = {}
        for path in sorted(set(base) | set(theirs)):
            if path == ANSWERS_FILE:
                continue
            ours = project / path
            files[path] = classify(
                _read(base.get(path)),
                _read(theirs.get(path)),
                ours.read_bytes() if ours.is_file() else None,
                scratch,
            )
    return Preview(current=current, target=target, files=files)
