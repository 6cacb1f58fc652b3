"""The questionnaire of ``backendgen new``: every answer, collected before anything is written.

Copier's own questionnaire asks the questions of ``copier.yml`` (so ``copier copy`` and
``backendgen new`` ask the same ones), in a pretend copy that writes nothing; generation then
runs non-interactively on the complete answers. The project name defaults to the
destination's name, and choosing the custom domain without ``--domain`` asks for the domain
file's path.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import jinja2
import questionary
from copier.errors import CopierError, InteractiveSessionError

from backendgen.errors import TemplateError, UserInputError
from backendgen.generator.pipeline import resolve_domain
from backendgen.generator.questions_only import questions_only
from backendgen.generator.render import untrusted_message
from backendgen.generator.template_source import TemplateRef
from backendgen.questions.answers import PROJECT_NAME_PATTERN, Answers, check_partial_answers
from backendgen.questions.domain_input import DomainInput, load_domain_input

CUSTOM_DOMAIN_PROMPT = "Domain spec file (YAML, or JHipster JDL .jdl/.jh)"
"""The message of the prompt asking for a custom domain's file."""


@dataclass(frozen=True)
class Collected:
    """What the questionnaire collected.

    Attributes:
        answers: An answer to every question of ``copier.yml`` but the agents' slots.
        domain_file: The domain spec file (``--domain``, or the one asked for), or None.
        description: The custom domain described in prose, for the LLM to design, or None.
    """

    answers: dict[str, Any]
    domain_file: Path | None
    description: str | None = None


def default_project_name(destination: Path) -> str | None:
    """Return the destination directory's name when it is a valid project name, else None.

    Args:
        destination: Where the project will be created.
    """
    name = destination.absolute().name
    return name if re.fullmatch(PROJECT_NAME_PATTERN, name) else None


def check_domain_file(text: str) -> str | bool:
    """Validate a typed domain file path: True, or the file's one-line error.

    Args:
        text: The path as typed so far.
    """
    if not text.strip():
        return "enter the path of a domain spec file"
    try:
        load_domain_input(Path(text.strip()).expanduser())
    except UserInputError as error:
        return str(error)
    return True


def ask_domain_file() -> Path:
    """Ask for the custom domain's file, validated as it is typed.

    Returns:
        The path of a file that loads as a domain spec.

    Raises:
        KeyboardInterrupt: On Ctrl-C.
        UserInputError: When the terminal closes before an answer.
    """
    try:
        typed = questionary.path(CUSTOM_DOMAIN_PROMPT, validate=check_domain_file).unsafe_ask()
    except EOFError:
        raise UserInputError("no domain spec file given: pass --domain FILE") from None
    return Path(str(typed).strip()).expanduser()


CUSTOM_SOURCE_PROMPT = "Custom domain from"
"""The message of the prompt choosing between a description and a domain file."""

DESCRIBE_CHOICE = "A description in prose, designed by the LLM"
FILE_CHOICE = "A domain spec file (YAML, or JHipster JDL)"

DESCRIPTION_PROMPT = "Describe the business: what it does, who uses it, the records it keeps"
"""The message of the prompt asking for the custom domain's description."""


def check_description_text(text: str) -> str | bool:
    """Validate a typed description: True, or what is wrong with it.

    Args:
        text: The description as typed so far.
    """
    from backendgen.llm.domain_designer import MAX_DESCRIPTION_CHARS  # the LLM stack: lazily

    if not text.strip():
        return "describe the domain in a sentence or more"
    if len(text.strip()) > MAX_DESCRIPTION_CHARS:
        return f"at most {MAX_DESCRIPTION_CHARS} characters"
    return True


def ask_custom_domain() -> tuple[Path | None, str | None]:
    """Ask whether the custom domain comes from prose or from a file, then ask for it.

    Returns:
        ``(None, description)`` or ``(domain_file, None)``.

    Raises:
        KeyboardInterrupt: On Ctrl-C.
        UserInputError: When the terminal closes before an answer.
    """
    try:
        source = questionary.select(
            CUSTOM_SOURCE_PROMPT, choices=[DESCRIBE_CHOICE, FILE_CHOICE]
        ).unsafe_ask()
        if source == FILE_CHOICE:
            return ask_domain_file(), None
        typed = questionary.text(
            DESCRIPTION_PROMPT, multiline=True, validate=check_description_text
        ).unsafe_ask()
    except EOFError:
        raise UserInputError("no domain described: pass --describe TEXT or --domain FILE") from None
    return None, str(typed).strip()


def _pretend_copy(
    template: TemplateRef,
    destination: Path,
    data: Mapping[str, Any],
    user_defaults: Mapping[str, Any],
    *,
    interactive: bool,
) -> dict[str, Any]:
    """Run Copier's questionnaire in a copy that renders and writes nothing; return answers.

    With the template's files at hand, Copier reads the questions from a view that holds
    nothing to render (:func:`questions_only`), instead of cloning and walking the template.
    """
    view_of_files = questions_only(template.files) if template.files else nullcontext(None)
    try:
        with warnings.catch_warnings(), view_of_files as view:
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            worker = copier.run_copy(
                str(view) if view is not None else template.src,
                destination,
                data=dict(data),
                vcs_ref=template.vcs_ref if view is None else None,
                defaults=not interactive,
                user_defaults=dict(user_defaults),
                pretend=True,
                quiet=True,
                skip_tasks=True,
                unsafe=template.trusted,
                exclude=["*"],  # the answers are all that is wanted: render no file
                cleanup_on_error=False,
            )
    except KeyboardInterrupt:  # Copier's CopierAnswersInterrupt too
        raise KeyboardInterrupt from None
    except InteractiveSessionError:
        raise UserInputError(
            "no terminal to answer on: use --defaults, --answers FILE or -d KEY=VALUE"
        ) from None
    except ValueError as error:
        raise UserInputError(str(error).strip().splitlines()[0]) from None
    except copier.errors.UnsafeTemplateError:
        raise UserInputError(untrusted_message(template.src)) from None
    except (CopierError, jinja2.TemplateError) as error:
        raise TemplateError(f"cannot read the questions of {template.src}: {error}") from None
    # The user's questions only: backendgen fills its hidden answers (slots, ...) itself.
    return {key: value for key, value in worker.answers.user.items() if key in Answers.model_fields}


def collect_answers(
    destination: Path,
    given: Mapping[str, Any],
    template: TemplateRef,
    *,
    domain_file: Path | None = None,
    interactive: bool = False,
    application: str | None = None,
    can_describe: bool = False,
) -> Collected:
    """Answer every question: the given answers, then the user's (or the defaults).

    The given answers are not asked again. With ``domain_file`` the domain is custom and not
    asked; its implied answers (a JDL file's project name, database, auth) become defaults.

    Args:
        destination: Where the project will be created; its name is the project name default.
        given: Answers from flags or an answers file.
        template: The template whose ``copier.yml`` holds the questions.
        domain_file: A ``--domain`` file, or None.
        interactive: Ask on the terminal; else take the defaults.
        application: The JDL application to generate (``--application``), or None.
        can_describe: An LLM is configured: the custom domain may be described in prose.

    Returns:
        The complete answers and the domain file.

    Raises:
        UserInputError: For bad answers or a bad domain file (before anything is asked).
        KeyboardInterrupt: When the user interrupts a question.
    """
    if domain_file is not None or not interactive:
        data = resolve_domain(given, domain_file)
    else:
        data = dict(given)
    check_partial_answers(data)
    domain_input: DomainInput | None = (
        load_domain_input(domain_file, application) if domain_file is not None else None
    )
    user_defaults: dict[str, Any] = {}
    if (name := default_project_name(destination)) is not None:
        user_defaults["project_name"] = name
    if domain_input is not None:
        user_defaults.update(domain_input.answers)
    answers = _pretend_copy(template, destination, data, user_defaults, interactive=interactive)
    if answers.get("domain") == "custom" and domain_file is None:
        if not interactive:
            resolve_domain(answers, None)  # raises: custom needs a domain file
        if can_describe:
            domain_file, description = ask_custom_domain()
            return Collected(answers, domain_file, description)
        domain_file = ask_domain_file()
    return Collected(answers, domain_file)
