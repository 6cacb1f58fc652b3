"""A short string that matches a regular expression, for sample payloads of patterned fields.

The walker lives in the template (``template_extensions/regex_example.py``, standard library
only) so that plain ``copier copy`` and ``copier update`` use it too: the template's
``pattern_example()`` global erases patterned personal fields with a matching placeholder.
This module loads that same file from the bundled template, as
:mod:`backendgen.generator.spec_versions` loads the slot migrations.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from backendgen.bundle import load_template_module

WALKER_FILE = "template_extensions/regex_example.py"
"""The template's regular-expression walker, relative to the template root."""


@cache
def _walker() -> ModuleType:
    return load_template_module(WALKER_FILE, "backendgen_regex_example")


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
