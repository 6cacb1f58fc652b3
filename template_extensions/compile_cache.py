"""Jinja extension of the backendgen template: compile each template string once per render.

Copier renders every path of the template, part by part, through ``Environment.from_string``,
and renders the answers file's name again for every part; a render of this template compiles
about a thousand strings, most of them repeats (``tests``, ``__init__.py``, the answers
file's name). This extension memoises the compiled code of string templates (those with no
name) for the life of the environment, that is one Copier render. A cached compile still runs
every extension's ``preprocess`` hook, because extensions may keep state per compile: Copier's
``yield`` tag resets its context there. Named templates (the files) keep Jinja's own cache.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension


class CompileCacheExtension(Extension):
    """Memoises ``Environment.compile`` for unnamed string templates."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        compile_uncached: Callable[..., Any] = environment.compile
        compiled: dict[str, CodeType] = {}

        def compile_cached(
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if name is not None or filename is not None or raw or defer_init:
                return compile_uncached(source, name, filename, raw, defer_init)
            if not isinstance(source, str):
                return compile_uncached(source)
            code = compiled.get(source)
            if code is None:
                code = compiled[source] = compile_uncached(source)
            else:
                environment.preprocess(source)
            return code

        environment.compile = compile_cached  # type: ignore[method-assign]
