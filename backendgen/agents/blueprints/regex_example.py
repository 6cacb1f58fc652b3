"""A short string that matches a regular expression, for sample payloads of patterned fields.

The walker lives in the template (``template_extensions/regex_example.py``, standard library
only) so that plain ``copier copy`` and ``copier update`` use it too: the template's
``pattern_example()`` global erases patterned personal fields with a matching placeholder.
This module loads that same file from the bundled template, as
:mod:`backendgen.generator.spec_versions` loads the slot migrations.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from types import ModuleType

from backendgen.bundle import bundled_template_root
from backendgen.errors import TemplateError

WALKER_FILE = "template_extensions/regex_example.py"
"""The template's regular-expression walker, relative to the template root."""


@cache
def _walker() -> ModuleType:
    path = bundled_template_root() / WALKER_FILE
    spec = importlib.util.spec_from_file_location("backendgen_regex_example", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise TemplateError(f"the bundled template lacks {WALKER_FILE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example_matching(
    pattern: str, min_length: int | None = None, max_length: int | None = None
) -> str | None:
    """Return a short string that ``re.fullmatch``-es ``pattern`` within the length bounds.

    Args:
        pattern: A Python regular expression.
        min_length: Fewest characters allowed, if any.
        max_length: Most characters allowed, if any.

    Returns:
        The string, or None when none was found.
    """
    found = _walker().example_matching(pattern, min_length, max_length)
    return found if isinstance(found, str) else None
