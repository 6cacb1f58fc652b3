"""Agent re-renders in process: only the files that read the new slot, rendered as Copier would.

Each agent commit re-renders the template with one more slot answered. Through Copier, every
such render clones the template, renders every path of the tree and compiles again each file
it renders: about 0.4 s per commit whatever changed. The bundled template's agent commits are
rendered here instead, by one Jinja environment configured as Copier configures its own (the
template's ``_jinja_extensions`` and ``_envops``, Ansible's core filters, the ``yield`` tag in
paths) and kept for the whole run, so each file compiles once. It renders the files that
staging found to read the slot, then the answers file. The scaffold is always Copier's own
render, and ``tests/integration/test_staged_render.py`` proves every agent commit
byte-identical to a full Copier render of that commit's answers. A template that uses what
this renderer does not reproduce (questions with ``when`` or ``secret``, ``_skip_if_exists``,
``_external_data``, symlinks) is rendered by Copier.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, cast

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import import_string
from jinja2_ansible_filters.core_filters import to_nice_yaml
from pathspec import PathSpec

from backendgen.errors import TemplateError
from backendgen.generator.nice_yaml import nice_yaml
from backendgen.generator.staging import StagedTemplate

_UNSUPPORTED_SETTINGS = ("_skip_if_exists", "_external_data", "_preserve_symlinks")
"""Template settings whose effect this renderer does not reproduce."""

_UNSUPPORTED_QUESTION_KEYS = ("secret",)
"""Question keys that keep an answer out of the answers file or the render context."""


def _reproducible_condition(question: dict[str, Any]) -> bool:
    """Whether a question's ``when`` gives the same answer in every commit of a project.

    A condition that reads no slot is decided by answers the agents never change, so the
    scaffold's answers file says whether Copier asked it (and recorded it); its default must be
    a constant, the value Copier renders with when it skips the question.
    """
    default = question.get("default")
    return "slot_" not in str(question["when"]) and not (
        isinstance(default, str) and ("{{" in default or "{%" in default)
    )


class PathYieldExtension(Extension):
    """Copier's ``{% yield name from iterable %}...{% endyield %}`` tag for template paths.

    Rendering a path part that holds the tag records the name and the iterable; the renderer
    then renders the part once per item, with the item bound to the name.
    """

    tags = {"yield"}  # noqa: RUF012 (Jinja's own declaration style)

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.found: tuple[str, Iterable[Any]] | None = None

    def parse(self, parser: Parser) -> nodes.Node:
        """Parse ``yield NAME from EXPRESSION`` up to ``endyield``."""
        lineno = next(parser.stream).lineno
        target = parser.parse_assign_target(name_only=True)
        parser.stream.expect("name:from")
        iterable = parser.parse_expression()
        body = parser.parse_statements(("name:endyield",), drop_needle=True)
        call = self.call_method("_record", [nodes.Const(target.name), iterable])
        return nodes.CallBlock(call, [], [], body, lineno=lineno)

    def _record(self, name: str, iterable: Iterable[Any], caller: Callable[[], str]) -> str:
        self.found = (name, iterable)
        try:
            return caller()
        except jinja2.UndefinedError:
            return ""


def _environment(template_root: Path, settings: Mapping[str, Any]) -> SandboxedEnvironment:
    envops = dict(settings.get("_envops") or {})
    envops.setdefault("keep_trailing_newline", True)
    if envops.get("undefined") in ("jinja2.Undefined", "jinja2.StrictUndefined"):
        envops["undefined"] = import_string(envops["undefined"])
    extensions = [
        "jinja2_ansible_filters.AnsibleCoreFiltersExtension",
        PathYieldExtension,
        *settings.get("_jinja_extensions", ()),
    ]
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(template_root.resolve())]),
        extensions=extensions,
        **envops,
    )
    env.globals["pathjoin"] = lambda *parts: str(PurePosixPath(*parts))
    if env.filters.get("to_nice_yaml") is to_nice_yaml:  # not a template's own filter
        env.filters["to_nice_yaml"] = nice_yaml
    return env


def _supported(staged: StagedTemplate) -> bool:
    settings = staged.settings
    if any(settings.get(key) for key in _UNSUPPORTED_SETTINGS):
        return False
    questions = [value for key, value in settings.items() if not key.startswith("_")]
    if any(
        isinstance(q, dict) and any(k in q for k in _UNSUPPORTED_QUESTION_KEYS) for q in questions
    ):
        return False
    if any(
        isinstance(q, dict) and "when" in q and not _reproducible_condition(q) for q in questions
    ):
        return False
    answers_name = staged.answers_template.replace(" ", "")
    return bool(staged.suffix) and answers_name == "{{_copier_conf.answers_file}}" + staged.suffix


class SlotRenderer:
    """Renders the files that read one slot, and the answers file, into a project."""

    def __init__(self, template_root: Path, staged: StagedTemplate) -> None:
        """Prepare the Jinja environment (nothing is rendered yet).

        Args:
            template_root: The directory holding ``copier.yml``, the template Copier rendered
                the scaffold from.
            staged: The template's files grouped by the slots they read.
        """
        self._root = template_root
        self._staged = staged
        self._suffix = staged.suffix
        self._prefix = staged.files_root.relative_to(template_root).as_posix()
        self._questions = [key for key in staged.settings if not key.startswith("_")]
        self._conditional = frozenset(
            key
            for key, question in staged.settings.items()
            if isinstance(question, dict) and "when" in question
        )
        self._env = _environment(template_root, staged.settings)
        self._yield = cast(PathYieldExtension, self._env.extensions[PathYieldExtension.identifier])
        self._excluded: Callable[[str], bool] | None = None

    @classmethod
    def for_template(
        cls, template_root: Path, staged: StagedTemplate | None
    ) -> SlotRenderer | None:
        """Return a renderer for a staged template, or None when Copier must render it.

        Args:
            template_root: The directory holding ``copier.yml``.
            staged: The template's files grouped by slot, or None when that is unknowable.
        """
        if staged is None or not _supported(staged):
            return None
        return cls(template_root, staged)

    def render_slot(
        self, project: Path, data: Mapping[str, Any], recorded: Mapping[str, Any], slot: str
    ) -> None:
        """Re-render the files reading ``slot`` and the answers file, as Copier would.

        Args:
            project: The project the scaffold was rendered into.
            data: Every question's answer, slots included.
            recorded: The answers Copier recorded for the scaffold (``_commit``, ``_src_path``).
            slot: The slot answer (``slot_<agent>``) that changed.

        Raises:
            TemplateError: When a template fails to render.
            TemplateLayoutError: When no template file reads ``slot``.
        """
        context = self._context(project, data, recorded)
        readers = self._staged.readers(slot)
        try:
            excluded = self._exclusions(context)
            for source in readers:
                for destination, extra in self._destinations(source, context):
                    if not excluded(destination.as_posix()):
                        self._render_file(project, source, destination, {**context, **extra})
            self._render_file(
                project,
                self._staged.answers_template,
                PurePosixPath(self._staged.answers_file.lstrip("/")),
                context,
            )
        except jinja2.TemplateError as error:
            raise TemplateError(f"template {self._root} failed to render: {error}") from None

    def _context(
        self, project: Path, data: Mapping[str, Any], recorded: Mapping[str, Any]
    ) -> dict[str, Any]:
        answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
        answers.update(data)
        remembered = {key: recorded[key] for key in ("_commit", "_src_path") if key in recorded}
        remembered.update(
            (key, answers[key])
            for key in self._questions
            if key in answers and (key not in self._conditional or key in recorded)
        )
        return {
            **answers,
            "_copier_answers": remembered,
            "_folder_name": project.name,
            "_copier_python": sys.executable,
            "_copier_phase": "render",
        }

    def _exclusions(self, context: Mapping[str, Any]) -> Callable[[str], bool]:
        if self._excluded is None:
            patterns = [
                line
                for pattern in self._staged.settings.get("_exclude", ())
                for line in self._env.from_string(str(pattern))
                .render(**context, _copier_operation="copy")
                .splitlines()
            ]
            self._excluded = PathSpec.from_lines("gitignore", patterns).match_file
        return self._excluded

    def _destinations(
        self, source: str, context: Mapping[str, Any]
    ) -> Iterator[tuple[PurePosixPath, dict[str, Any]]]:
        """Yield each path ``source`` renders to, with the names its ``yield`` tags bind."""
        templated = source.endswith(self._suffix)
        if not templated and (self._staged.files_root / (source + self._suffix)).exists():
            return  # Copier renders the templated sibling instead
        parts = PurePosixPath(source.removesuffix(self._suffix) if templated else source).parts
        yield from self._render_parts(parts, (), {}, templated, context)

    def _render_parts(
        self,
        parts: tuple[str, ...],
        done: tuple[str, ...],
        extra: dict[str, Any],
        templated: bool,
        context: Mapping[str, Any],
    ) -> Iterator[tuple[PurePosixPath, dict[str, Any]]]:
        if not parts:
            path = PurePosixPath(*done)
            if templated or not (self._root / f"{path}{self._suffix}").exists():
                yield path, extra
            return
        template = self._env.from_string(parts[0])
        self._yield.found = None
        rendered = template.render(**context, **extra)
        found, self._yield.found = self._yield.found, None
        if found is None:
            if rendered:
                yield from self._render_parts(
                    parts[1:], (*done, rendered), extra, templated, context
                )
            return
        name, iterable = found
        for value in iterable or ():
            bound = {**extra, name: value}
            rendered = template.render(**context, **bound)
            self._yield.found = None
            if rendered:
                yield from self._render_parts(
                    parts[1:], (*done, rendered), bound, templated, context
                )

    def _render_file(
        self,
        project: Path,
        source: str,
        destination: PurePosixPath,
        context: Mapping[str, Any],
    ) -> None:
        source_path = self._staged.files_root / source
        if source.endswith(self._suffix):
            template = self._env.get_template(f"{self._prefix}/{source}")
            content = template.render(**context).encode()
        else:
            content = source_path.read_bytes()
        target = project / destination
        if target.is_symlink():
            target.unlink()
        existed = target.is_file()
        if not existed:
            target.parent.mkdir(parents=True, exist_ok=True)
        if not existed or target.read_bytes() != content:
            target.write_bytes(content)
        # An existing file keeps its permissions; the executable bits follow the template's.
        source_mode, current = source_path.stat().st_mode, target.stat().st_mode
        wanted = ((current if existed else source_mode) & ~0o111) | (source_mode & 0o111)
        if current != wanted:
            target.chmod(wanted)
