"""Jinja extension of the backendgen template: compile each template once, not once per render.

Copier renders every path of the template, part by part, through ``Environment.from_string``,
and renders the answers file's name again for every part; a render of this template compiles
about a thousand strings, most of them repeats (``tests``, ``__init__.py``, the answers
file's name). This extension memoises the compiled code of string templates (those with no
name) for the life of the environment, that is one Copier render. A cached compile still runs
every extension's ``preprocess`` hook, because extensions may keep state per compile: Copier's
``yield`` tag resets its context there.

The files are compiled once per machine instead of once per render: ``copier update`` renders
the whole tree three times (old version, new version, the project), each from a fresh clone,
and compiling the same two hundred files dominated its time. Their bytecode goes to Jinja's
own :class:`~jinja2.FileSystemBytecodeCache` in the user cache directory
(``$XDG_CACHE_HOME/backendgen/jinja-bytecode``), keyed by the template's name and the
environment's configuration (delimiters, whitespace options, extensions) rather than by the
clone's path; Jinja checks each entry against the SHA-1 of the source and its own and Python's
versions, so an edited template or another configuration compiles afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

import platformdirs
from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket
from jinja2.ext import Extension

_CONFIGURATION = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
)
"""Environment settings that change the code a template compiles to."""


def bytecode_directory() -> Path:
    """Return the directory of the shared bytecode cache (created private to the user)."""
    directory = Path(platformdirs.user_cache_dir("backendgen", appauthor=False)) / "jinja-bytecode"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


class SharedBytecodeCache(FileSystemBytecodeCache):
    """A bytecode cache whose keys survive a template being cloned to another path."""

    def __init__(self, environment: Environment, directory: Path) -> None:
        """Cache the bytecode of ``environment``'s file templates in ``directory``."""
        super().__init__(str(directory))
        self._environment = environment
        self._fingerprint: str | None = None

    def _configuration(self) -> str:
        # Read on first use: extensions listed after this one are not registered at __init__.
        if self._fingerprint is None:
            env = self._environment
            settings = [repr(getattr(env, name, None)) for name in _CONFIGURATION]
            kind = f"{type(env).__module__}.{type(env).__qualname__}"
            self._fingerprint = "|".join([kind, *settings, *sorted(env.extensions)])
        return self._fingerprint

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Key an entry by the environment's configuration and the template's name only."""
        del filename  # a fresh clone per render: the path differs, the template does not
        return hashlib.sha256(f"{self._configuration()}\n{name}".encode()).hexdigest()

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """Return the entry; a cached one still runs the extensions' ``preprocess`` hooks."""
        bucket = super().get_bucket(environment, name, filename, source)
        if bucket.code is not None:
            environment.preprocess(source, name, filename)
        return bucket


class CompileCacheExtension(Extension):
    """Memoises string compiles per render, and file compiles across renders and runs."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if environment.bytecode_cache is None:
            environment.bytecode_cache = SharedBytecodeCache(environment, bytecode_directory())
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
