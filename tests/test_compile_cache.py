"""The template's compile cache compiles a string once and still runs every preprocess hook."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

PATH = Path(__file__).resolve().parents[1] / "template_extensions" / "compile_cache.py"


def _compile_cache_extension() -> Any:
    spec = importlib.util.spec_from_file_location("compile_cache_under_test", PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CompileCacheExtension


class _CountingExtension(Extension):
    """Stands for extensions that keep state per compile, like Copier's yield tag."""

    preprocessed = 0

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        del name, filename
        type(self).preprocessed += 1
        return source


def test_strings_compile_once_and_preprocess_every_time() -> None:
    env = SandboxedEnvironment(extensions=[_compile_cache_extension(), _CountingExtension])
    _CountingExtension.preprocessed = 0
    first = env.compile("{{ name }}/x")
    second = env.compile("{{ name }}/x")
    assert first is second
    assert _CountingExtension.preprocessed == 2
    assert env.from_string("{{ name }}/x").render(name="a") == "a/x"
    assert env.from_string("{{ name }}/x").render(name="b") == "b/x"
    assert env.compile("{{ name }}/y") is not first


def test_named_templates_are_not_cached() -> None:
    env = SandboxedEnvironment(extensions=[_compile_cache_extension()])
    assert env.compile("{{ x }}", name="a.txt") is not env.compile("{{ x }}", name="a.txt")
