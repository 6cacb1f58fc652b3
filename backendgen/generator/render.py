"""Copier glue: render the template into a project directory with given answers."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import copier
import copier._main as copier_main
import jinja2
import yaml
from copier.errors import CopierError

from backendgen.errors import TemplateError, UserInputError
from backendgen.generator.template_source import TemplateRef

ANSWERS_FILE = ".copier-answers.yml"


class _OutsideGitWorker(copier_main.Worker):
    """Copier's worker for a destination no git repository holds.

    Copier asks git, once per rendered file, whether the destination's index must learn the
    file's executable bit (a ``git config`` subprocess each: about a third of a scaffold's
    time). Outside every repository the answer is always no (git has no index there, so
    Copier's own check ends at ``git ls-files`` failing), so this worker skips the question.
    """

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        """Nothing to sync: no git index holds the destination."""


_SKIPS_INDEX_SYNC = hasattr(copier_main.Worker, "_sync_git_index_executable_bit")
"""Whether this Copier has the per-file check (9.19 does); else Copier's own run_copy."""


def _outside_git(project: Path) -> bool:
    """Whether no git repository can hold ``project`` (no ``.git`` up the tree, no GIT_DIR)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return False
    start = project.resolve()
    return not any((folder / ".git").exists() for folder in (start, *start.parents))


def render(
    project: Path,
    template: TemplateRef,
    data: Mapping[str, Any],
    *,
    interactive: bool = False,
    exclude: Sequence[str] = (),
    complete: bool = False,
) -> dict[str, Any]:
    """Render ``template`` into ``project`` (overwriting) and return the recorded answers.

    Args:
        project: The project directory (may already hold an earlier render).
        template: The template and version to render.
        data: Answers to use; unanswered questions take their defaults unless ``interactive``.
        interactive: Ask the unanswered questions on the terminal (Copier's questionnaire).
        exclude: Extra gitignore-style patterns of files not to render (they keep their
            content from the earlier render).
        complete: ``data`` answers every question. The earlier render's answers file is then
            removed first (Copier rewrites it): Copier would only re-read it as defaults, with
            pure-Python YAML, which is slow once the slots are large.

    Returns:
        The answers Copier recorded in ``.copier-answers.yml``.

    Raises:
        UserInputError: When Copier rejects an answer or the template source.
        TemplateError: When rendering fails for another reason.
    """
    if complete:
        (project / ANSWERS_FILE).unlink(missing_ok=True)
    try:
        with warnings.catch_warnings():
            # Rendering a template checkout with local changes is expected in development.
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            options: dict[str, Any] = {
                "data": dict(data),
                "vcs_ref": template.vcs_ref,
                "defaults": not interactive,
                "overwrite": True,
                "quiet": True,
                "skip_tasks": True,
                "unsafe": template.trusted,
                "exclude": list(exclude),
            }
            if _SKIPS_INDEX_SYNC and _outside_git(project):
                with _OutsideGitWorker(src_path=template.src, dst_path=project, **options) as w:
                    w.run_copy()
            else:
                copier.run_copy(template.src, project, **options)
    except ValueError as error:
        raise UserInputError(str(error).strip().splitlines()[0]) from None
    except copier.errors.UnsafeTemplateError:
        raise UserInputError(untrusted_message(template.src)) from None
    except CopierError as error:
        raise TemplateError(f"cannot render template {template.src}: {error}") from None
    except jinja2.TemplateError as error:
        where = (
            f" ({error.name}:{error.lineno})"
            if isinstance(error, jinja2.TemplateSyntaxError)
            else ""
        )
        raise TemplateError(f"template {template.src} failed to render{where}: {error}") from None
    return read_answers(project)


def update(
    project: Path,
    *,
    src: str,
    vcs_ref: str | None,
    trusted: bool,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Run Copier's update on ``project``: to ``vcs_ref``, with ``data`` answered anew.

    Edits made to generated files are merged three ways; conflicts stay in the work tree as
    Copier's inline markers, for the caller to find and report.

    Args:
        project: A project Copier rendered (its answers file names the template).
        src: The project's template (for messages).
        vcs_ref: The template version to update to (the project's own to re-render).
        trusted: Allow the template's Jinja extensions.
        data: Answers that change (e.g. one agent's slot); the others are kept.

    Raises:
        UserInputError: When the template's extensions are not trusted.
        TemplateError: When Copier cannot update the project.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            copier.run_update(
                project,
                data=dict(data or {}),
                vcs_ref=vcs_ref,
                defaults=True,
                overwrite=True,
                skip_answered=True,
                quiet=True,
                skip_tasks=True,
                unsafe=trusted,
                conflict="inline",
            )
    except copier.errors.UnsafeTemplateError:
        raise UserInputError(untrusted_message(src)) from None
    except CopierError as error:
        raise TemplateError(f"cannot update {project}: {error}") from None


def untrusted_message(src: str) -> str:
    """The one-line error for a template whose Jinja extensions were not trusted."""
    return f"template {src} runs Jinja extensions; pass --trust if you trust it"


def read_answers(project: Path) -> dict[str, Any]:
    """Read the answers Copier recorded in ``project``.

    Args:
        project: A rendered project.

    Returns:
        The answers, including Copier's ``_commit`` and ``_src_path``.
    """
    path = project / ANSWERS_FILE
    if not path.is_file():
        raise TemplateError(f"the template wrote no {ANSWERS_FILE}")
    # libyaml's loader when PyYAML has it: the answers file holds every slot spec.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = yaml.load(path.read_text("utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    if not isinstance(loaded, dict):
        raise TemplateError(f"{path} does not hold a mapping")
    return loaded
