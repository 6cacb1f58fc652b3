"""A view of a template that holds its questions and nothing to render.

The questionnaire runs Copier's own questions in a pretend copy. Given the template itself,
Copier clones it and walks and renders every path of the tree only to find each one excluded:
most of a second. Given this view instead (the same ``copier.yml`` and everything beside it,
with ``_subdirectory`` pointed at an empty folder) it asks the same questions, with the same
defaults, validators and Jinja extensions, and has nothing to walk.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

CONFIG_NAMES = ("copier.yml", "copier.yaml")
"""The names Copier reads its configuration from, in its order."""

_SUBDIRECTORY_LINE = re.compile(r"^_subdirectory:.*$", re.MULTILINE)
_EMPTY = "_backendgen_questions_only"


def _subdirectory(config_text: str) -> str | None:
    """Return the template's ``_subdirectory`` as written (None when it has none)."""
    try:
        config = yaml.safe_load(config_text)
    except yaml.YAMLError:
        return None
    value = config.get("_subdirectory") if isinstance(config, dict) else None
    return value if isinstance(value, str) and value.strip() else None


@contextmanager
def questions_only(files: Path) -> Iterator[Path | None]:
    """Yield a directory Copier reads the questions of ``files`` from, or None.

    None means the template cannot be viewed this way (no configuration file, no plain
    top-level ``_subdirectory`` line, a configuration YAML cannot read); the caller then hands
    Copier the template itself. The view links every top-level entry of ``files`` but the
    subdirectory's, so includes and Jinja extensions resolve as they do in the template.

    Args:
        files: A local directory holding the template's files.
    """
    config = next((files / name for name in CONFIG_NAMES if (files / name).is_file()), None)
    text = config.read_text(encoding="utf-8") if config is not None else ""
    subdirectory = _subdirectory(text)
    if config is None or subdirectory is None or len(_SUBDIRECTORY_LINE.findall(text)) != 1:
        yield None
        return
    skipped = Path(subdirectory.strip()).parts[0]
    view = Path(tempfile.mkdtemp(prefix="backendgen-questions-"))
    try:
        for entry in files.iterdir():
            if entry.name not in {skipped, config.name, ".git"}:
                (view / entry.name).symlink_to(entry.resolve(), entry.is_dir())
        (view / _EMPTY).mkdir()
        (view / config.name).write_text(
            _SUBDIRECTORY_LINE.sub(f"_subdirectory: {_EMPTY}", text), encoding="utf-8"
        )
        yield view
    finally:
        shutil.rmtree(view, ignore_errors=True)
