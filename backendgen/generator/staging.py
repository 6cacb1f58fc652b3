"""Which files an agent's re-render can change, so the other files are not rendered again.

An agent's commit re-renders the template with one more slot answered. Only files whose path
or content reads that slot (``slot_<agent>``) can change; every other file renders exactly as
before. The re-render is told to skip the others through Copier's ``exclude`` patterns: skip
everything, then re-include the answers file and each slot-reading file, its templated path
parts widened to ``*``. Re-including too much is harmless (the file renders as before);
missing a file is not, so any construct that could read a slot indirectly (includes, imports,
the whole answer set, a computed question) turns staging off and the full tree renders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from backendgen.errors import TemplateLayoutError

_JINJA_PART = re.compile(r"(?:\{\{.*?\}\}|\{%.*?%\})+")
"""Runs of Jinja expressions and statements inside a template path."""

_INDIRECT = re.compile(r"\{%-?\s*(?:include|import|from|extends)\b|_copier_answers|_copier_conf")
"""Constructs through which a template could read a slot without naming it."""

_GLOB_SPECIAL = re.compile(r"([\\*?\[\]!# ])")


@dataclass(frozen=True)
class StagedTemplate:
    """The template's files, grouped by the slots they read."""

    answers_file: str
    """Path of the answers file Copier writes (always re-rendered)."""
    sources: dict[str, tuple[str, ...]]
    """Per slot answer name, the template files that read it, relative to ``files_root``."""
    answers_template: str
    """The answers file's template, relative to ``files_root``."""
    files_root: Path
    """The template's subdirectory holding its files."""
    settings: dict[str, Any]
    """The template's ``copier.yml``."""

    @property
    def suffix(self) -> str:
        """The suffix of the template's templated files (``_templates_suffix``)."""
        return str(self.settings.get("_templates_suffix", ".jinja"))

    def readers(self, slot: str) -> tuple[str, ...]:
        """Return the template files that read ``slot``, relative to ``files_root``.

        Args:
            slot: The slot answer (``slot_<agent>``) an agent fills.

        Raises:
            TemplateLayoutError: When no file reads it: the agent's commit would render nothing.
        """
        sources = self.sources.get(slot, ())
        if not sources:
            raise TemplateLayoutError(
                f"template {self.files_root}: no file reads {slot}, so its agent would render "
                "nothing (check _subdirectory in copier.yml)"
            )
        return sources

    def excludes(self, slot: str) -> list[str]:
        """Return Copier ``exclude`` patterns that skip every file not reading ``slot``.

        Args:
            slot: The slot answer (``slot_<agent>``) that changed.

        Returns:
            Gitignore-style patterns.
        """
        readers = (path_pattern(source.removesuffix(self.suffix)) for source in self.readers(slot))
        keep = (_escape(self.answers_file), *readers)
        return ["*", *(f"!{pattern}" for pattern in keep)]


def _escape(literal: str) -> str:
    return _GLOB_SPECIAL.sub(r"\\\1", literal)


def path_pattern(relative: str) -> str:
    """Return a gitignore pattern matching every path a template path can render to.

    Args:
        relative: The template file's path below the template's subdirectory, suffix removed.

    Returns:
        The path with its literal parts escaped and each run of Jinja markup widened to ``*``.
    """
    parts: list[str] = []
    position = 0
    for markup in _JINJA_PART.finditer(relative):
        parts.extend((_escape(relative[position : markup.start()]), "*"))
        position = markup.end()
    parts.append(_escape(relative[position:]))
    return "/" + "".join(parts)


def _copier_settings(template_root: Path) -> dict[str, Any] | None:
    config = template_root / "copier.yml"
    if not config.is_file():
        return None
    loaded = yaml.safe_load(config.read_text("utf-8"))
    if not isinstance(loaded, dict):
        return None
    # A question computed from a slot would make files that read it slot readers in disguise
    # (settings such as ``_jinja_extensions`` may name files like ``slot_migrations.py``).
    questions = (value for key, value in loaded.items() if not str(key).startswith("_"))
    if any("slot_" in yaml.safe_dump(question) for question in questions):
        return None
    return loaded


def _literal_defaults(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return each question's default that holds no Jinja markup (what Copier would answer)."""
    defaults: dict[str, Any] = {}
    for key, question in settings.items():
        if str(key).startswith("_") or not isinstance(question, dict) or "default" not in question:
            continue
        default = question["default"]
        if not (isinstance(default, str) and ("{{" in default or "{%" in default)):
            defaults[str(key)] = default
    return defaults


def resolve_subdirectory(
    template_root: Path, settings: Mapping[str, Any], answers: Mapping[str, Any] | None = None
) -> Path:
    """Return the folder holding the template's files, ``_subdirectory`` rendered as Copier does.

    A templated ``_subdirectory`` (``templates/{{ framework }}``, one folder per stack) is
    rendered with the answers over the questions' literal defaults.

    Args:
        template_root: Directory holding ``copier.yml``.
        settings: The template's ``copier.yml``.
        answers: The project's answers, or None for the defaults.

    Returns:
        The resolved folder.

    Raises:
        TemplateLayoutError: When it does not render, or names no folder of the template.
    """
    written = str(settings.get("_subdirectory", "") or "")
    subdirectory = written
    if "{{" in written or "{%" in written:
        context = {**_literal_defaults(settings), **(answers or {})}
        try:
            environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
            subdirectory = environment.from_string(written).render(**context).strip()
        except jinja2.TemplateError as error:
            raise TemplateLayoutError(
                f"template {template_root}: _subdirectory {written!r} does not render ({error})"
            ) from None
    files_root = template_root / subdirectory
    if not files_root.is_dir():
        raise TemplateLayoutError(
            f"template {template_root}: _subdirectory {written!r} resolves to "
            f"{subdirectory!r}, which is not a folder of the template"
        )
    return files_root


def stage_template(
    template_root: Path, slots: tuple[str, ...], answers: Mapping[str, Any] | None = None
) -> StagedTemplate | None:
    """Group a local template's files by the slots they read.

    Args:
        template_root: Directory holding ``copier.yml`` and the template's files.
        slots: The slot answer names (``slot_<agent>``).
        answers: The project's answers, which a templated ``_subdirectory`` reads (None: the
            questions' defaults).

    Returns:
        The grouping, or None when a slot could be read indirectly (render everything then).

    Raises:
        TemplateLayoutError: When ``_subdirectory`` names no folder of the template.
    """
    settings = _copier_settings(template_root)
    if settings is None:
        return None
    suffix = str(settings.get("_templates_suffix", ".jinja"))
    answers_file = str(settings.get("_answers_file", ".copier-answers.yml"))
    files_root = resolve_subdirectory(template_root, settings, answers)
    sources: dict[str, list[str]] = {slot: [] for slot in slots}
    answers_template = ""
    for path in sorted(files_root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(files_root).as_posix()
        templated = relative.endswith(suffix)
        if "_copier_conf.answers_file" in relative:
            answers_template = relative  # the answers file itself, always re-rendered
            continue
        content = path.read_text("utf-8", errors="replace") if templated else ""
        if _INDIRECT.search(relative) or _INDIRECT.search(content):
            return None
        for slot in slots:
            if slot in relative or slot in content:
                sources[slot].append(relative)
    return StagedTemplate(
        answers_file="/" + answers_file,
        sources={slot: tuple(paths) for slot, paths in sources.items()},
        answers_template=answers_template,
        files_root=files_root,
        settings=settings,
    )
