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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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

    def excludes(self, slot: str) -> list[str]:
        """Return Copier ``exclude`` patterns that skip every file not reading ``slot``.

        Args:
            slot: The slot answer (``slot_<agent>``) that changed.

        Returns:
            Gitignore-style patterns.
        """
        sources = self.sources.get(slot, ())
        readers = (path_pattern(source.removesuffix(self.suffix)) for source in sources)
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


def stage_template(template_root: Path, slots: tuple[str, ...]) -> StagedTemplate | None:
    """Group a local template's files by the slots they read.

    Args:
        template_root: Directory holding ``copier.yml`` and the template's files.
        slots: The slot answer names (``slot_<agent>``).

    Returns:
        The grouping, or None when a slot could be read indirectly (render everything then).
    """
    settings = _copier_settings(template_root)
    if settings is None:
        return None
    suffix = str(settings.get("_templates_suffix", ".jinja"))
    answers_file = str(settings.get("_answers_file", ".copier-answers.yml"))
    files_root = template_root / str(settings.get("_subdirectory", ""))
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
