"""An agent's files: a built-in's slot files of the template, a plugin's own template folder.

A plugin agent cannot add questions to ``copier.yml``, so it brings a folder of its own
(``AgentDefinition.template``): every file is copied to the same relative path in the
project, and a ``*.jinja`` file is rendered first (suffix dropped) with the answers and
``spec``, the agent's spec as JSON data (``docs/plugins.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ValidationError

from backendgen.agents.base import AgentDefinition
from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.spec_base import SlotSpec
from backendgen.errors import UserInputError
from backendgen.generator.render import render
from backendgen.generator.slot_render import SlotRenderer
from backendgen.generator.spec_versions import dump_slot
from backendgen.generator.staging import StagedTemplate
from backendgen.generator.template_source import TemplateRef
from backendgen.questions.answers import Answers

JINJA_SUFFIX = ".jinja"
"""Files with this suffix are rendered; the rest are copied as they are."""


def _one_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def plugin_blueprint(agent: AgentDefinition, source: BlueprintInput) -> SlotSpec:
    """Run a plugin agent's blueprint and validate its spec like any agent's.

    Raises:
        UserInputError: If the blueprint fails or its spec is invalid (one line naming the
            plugin), so nothing is written.
    """
    try:
        draft = agent.blueprint(source)
        return agent.spec_type.model_validate(
            draft.model_dump(mode="json"), context=source.validation_context()
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        at = f" at {where}" if where else ""
        raise UserInputError(
            f"plugin agent '{agent.name}' produced an invalid spec: {first['msg']}{at}"
        ) from None
    except Exception as error:  # third-party code: report it, never a traceback
        raise UserInputError(
            f"plugin agent '{agent.name}' failed in its blueprint: {_one_line(error)}"
        ) from None


def render_plugin_files(
    project: Path, folder: Path, answers: Mapping[str, Any], spec: Mapping[str, Any]
) -> list[Path]:
    """Render a plugin agent's template folder into ``project``.

    Args:
        project: The generated project.
        folder: The plugin's template folder.
        answers: The questionnaire's answers (template variables).
        spec: The agent's spec as JSON data (the ``spec`` variable).

    Returns:
        The files written, relative to ``project``.

    Raises:
        UserInputError: If a file would land outside the project, or a template does not
            render (one line naming the file).
    """
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701  # plain-text files (code, YAML, Markdown), not HTML
    )
    written: list[Path] = []
    root = project.resolve()
    for source in sorted(path for path in folder.rglob("*") if path.is_file()):
        relative = source.relative_to(folder)
        rendered = relative.suffix == JINJA_SUFFIX
        target_relative = relative.with_suffix("") if rendered else relative
        target = (project / target_relative).resolve()
        if source.is_symlink() or not target.is_relative_to(root) or target == root:
            raise UserInputError(f"plugin template file {relative} would leave the project")
        if rendered:
            try:
                template = environment.get_template(relative.as_posix())
                content = template.render(**answers, spec=spec).encode("utf-8")
            except jinja2.TemplateError as error:
                raise UserInputError(f"plugin template {relative}: {_one_line(error)}") from None
        else:
            content = source.read_bytes()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target_relative)
    return written


@dataclass(frozen=True)
class AgentFiles:
    """Where an agent's commit writes its files.

    A built-in agent's are its slot's files of the template; a plugin agent's are its own
    template folder's (:func:`render_plugin_files`).
    """

    project: Path
    """The generated project."""
    template: TemplateRef
    """The template the project is rendered from."""
    data: dict[str, Any]
    """The answers Copier renders with; each built-in agent's slot is added as it commits."""
    recorded: dict[str, Any]
    """The answers Copier recorded for the scaffold."""
    slot_renderer: SlotRenderer | None
    """The in-process slot renderer, when it can vouch for the template."""
    slot_readers: StagedTemplate | None
    """Which template files read which slot, when that is knowable."""

    def write(self, agent: AgentDefinition, spec: SlotSpec, answers: Answers) -> None:
        """Write ``agent``'s files from its ``spec``."""
        if agent.template is not None:
            spec_data = dump_slot(agent, spec)
            render_plugin_files(self.project, agent.template, answers.model_dump(), spec_data)
            return
        self.data[agent.slot] = dump_slot(agent, spec)
        if self.slot_renderer is not None:
            self.slot_renderer.render_slot(self.project, self.data, self.recorded, agent.slot)
        else:
            exclude = self.slot_readers.excludes(agent.slot) if self.slot_readers else ()
            render(self.project, self.template, self.data, exclude=exclude, complete=True)
