"""Where the installed backendgen keeps its bundled template (a leaf every layer may import).

The template's own Python (``template_extensions/``: slot migrations, the regular-expression
walker) is loaded from here by the layers that need the same code as plain Copier runs.
"""

from __future__ import annotations

from pathlib import Path

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
