"""Where the installed backendgen keeps its bundled template (a leaf every layer may import).

The template's own Python (``template_extensions/``: slot migrations, the regular-expression
walker) is loaded from here by the layers that need the same code as plain Copier runs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from backendgen.errors import TemplateError


def bundled_template_root() -> Path:
    """Return the directory holding the bundled ``copier.yml`` and ``templates/``.

    Raises:
        TemplateError: If the installation lacks its template.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_bundled", package.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "templates").is_dir():
            return candidate
    raise TemplateError(f"the bundled template is missing from {package}")


def load_template_module(relative: str, name: str) -> ModuleType:
    """Load a Python file of the bundled template (e.g. ``template_extensions/x.py``).

    Args:
        relative: The file's path relative to the template root.
        name: The module name to load it under.

    Raises:
        TemplateError: If the installation lacks the file.
    """
    path = bundled_template_root() / relative
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise TemplateError(f"the bundled template lacks {relative}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
