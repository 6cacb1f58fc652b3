"""The template's compile caches: strings once per render, files once per machine.

Each still runs every extension's preprocess hook, and a changed source, another environment
configuration or another template path for the same source compiles or is found correctly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from jinja2 import FileSystemLoader
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

PATH = Path(__file__).resolve().parents[2] / "template_extensions" / "compile_cache.py"


def _module() -> Any:
    spec = importlib.util.spec_from_file_location("compile_cache_under_test", PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compile_cache_extension() -> Any:
    return _module().CompileCacheExtension


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


def _file_env(root: Path, **options: Any) -> SandboxedEnvironment:
    extensions = [_compile_cache_extension(), _CountingExtension]
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(root)), extensions=extensions, **options
    )


@pytest.fixture
def bytecode_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "backendgen" / "jinja-bytecode"


def _clone(tmp_path: Path, name: str, body: str) -> Path:
    """A template tree at a new path each time, as Copier clones one per render."""
    root = tmp_path / name
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "page.md.jinja").write_text(body)
    return root


def test_file_templates_compile_once_across_clones(
    tmp_path: Path, bytecode_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _file_env(_clone(tmp_path, "clone1", "Hello {{ who }}"))
    assert first.get_template("docs/page.md.jinja").render(who="a") == "Hello a"
    assert len(list(bytecode_dir.iterdir())) == 1

    second = _file_env(_clone(tmp_path, "clone2", "Hello {{ who }}"))
    compiled: list[str | None] = []
    original = second.compile

    def counting(source: Any, name: str | None = None, *args: Any, **kw: Any) -> Any:
        compiled.append(name)
        return original(source, name, *args, **kw)

    monkeypatch.setattr(second, "compile", counting)
    _CountingExtension.preprocessed = 0
    assert second.get_template("docs/page.md.jinja").render(who="b") == "Hello b"
    assert compiled == []  # loaded from the cache written by the first clone
    assert _CountingExtension.preprocessed == 1  # yet every preprocess hook ran


def test_an_edited_template_or_another_configuration_compiles_afresh(
    tmp_path: Path, bytecode_dir: Path
) -> None:
    name = "docs/page.md.jinja"
    assert _file_env(_clone(tmp_path, "v1", "v1 {{ who }}")).get_template(name).render(who="x") == (
        "v1 x"
    )
    assert _file_env(_clone(tmp_path, "v2", "v2 {{ who }}")).get_template(name).render(who="x") == (
        "v2 x"
    )
    body = "{% if who %}\n  {{ who }}\n{% endif %}\n"
    for options in ({}, {"trim_blocks": True, "lstrip_blocks": True}, {}):
        root = _clone(tmp_path, f"c{len(list(tmp_path.iterdir()))}", body)
        cached = _file_env(root, **options).get_template(name).render(who="x")
        reference = SandboxedEnvironment(loader=FileSystemLoader(str(root)), **options)
        assert cached == reference.get_template(name).render(who="x"), options
    assert bytecode_dir.stat().st_mode & 0o077 == 0  # private to the user
