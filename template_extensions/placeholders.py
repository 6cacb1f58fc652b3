"""Jinja extension of the backendgen template: a string matching a field's pattern.

``pattern_example(pattern, min_length, max_length)`` (a template global) gives a short string
that ``re.fullmatch``-es ``pattern`` within the length bounds, or ``None``. The generated
``security/compliance/personal_data.py`` stamps a record's id into it to erase a patterned
field with a value that still satisfies the field's constraints. The walk over the pattern is
``regex_example.py`` beside this file (standard library only; backendgen's sample payloads use
it too), loaded by path as Copier loads this file, so plain ``copier copy`` needs no backendgen.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import cache
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

WALKER = Path(__file__).resolve().with_name("regex_example.py")
"""The regular-expression walker, beside this file."""

Example = Callable[[str, int | None, int | None], str | None]


@cache
def _example_matching() -> Example:
    spec = importlib.util.spec_from_file_location("_template_regex_example", WALKER)
    if spec is None or spec.loader is None:  # pragma: no cover - the checkout is incomplete
        raise ImportError(f"cannot load {WALKER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function: Example = module.example_matching
    return function


def pattern_example(
    pattern: str, min_length: int | None = None, max_length: int | None = None
) -> str | None:
    """Return a short string matching ``pattern`` within the bounds, or None.

    Args:
        pattern: A Python regular expression.
        min_length: Fewest characters allowed, if any.
        max_length: Most characters allowed, if any.

    Returns:
        The string, or None when the walk finds none.
    """
    return _example_matching()(pattern, min_length, max_length)


class PlaceholderExtension(Extension):
    """Adds the ``pattern_example()`` global to the template's environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["pattern_example"] = pattern_example
