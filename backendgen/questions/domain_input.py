"""A ``--domain`` file with everything it implies: the domain, answers and warnings.

YAML domain specs carry only the domain. JHipster JDL files (``.jdl``, ``.jh``) also imply
answers (project name, database, auth, from their ``application`` block) and warnings about
what was mapped loosely or ignored; the CLI passes both on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backendgen.errors import UserInputError
from backendgen.questions.domain import DomainSpec, load_yaml_domain
from backendgen.questions.suffixes import JDL_SUFFIXES

__all__ = ["JDL_SUFFIXES", "DomainInput", "load_domain_file", "load_domain_input"]


@dataclass(frozen=True)
class DomainInput:
    """A loaded domain file.

    Attributes:
        domain: The validated domain spec.
        answers: Questionnaire answers the file implies (e.g. ``project_name``); the user's
            own answers should take precedence.
        warnings: One line per item mapped loosely or ignored, as ``file:line: message``.
    """

    domain: DomainSpec
    answers: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_domain_input(path: Path, application: str | None = None) -> DomainInput:
    """Load a ``--domain`` file: JDL by suffix (``.jdl``, ``.jh``), YAML otherwise.

    Args:
        path: The file given with ``--domain``.
        application: For a JDL file with several applications, the ``baseName`` of the one
            to generate (``--application``); a YAML file takes none.

    Returns:
        The domain with the answers and warnings the file implies.

    Raises:
        UserInputError: If the file is missing, unparseable or not a valid domain.
    """
    if path.suffix.lower() in JDL_SUFFIXES:
        from backendgen.questions.jdl import load_jdl

        domain, answers, warnings = load_jdl(path, application)
        return DomainInput(domain, answers, warnings)
    if application is not None:
        raise UserInputError(f"{path}: --application needs a JDL file (.jdl, .jh)")
    domain, warnings = load_yaml_domain(path)
    return DomainInput(domain, warnings=warnings)


def load_domain_file(path: Path) -> DomainSpec:
    """Load a user's domain spec (YAML, or JDL by suffix).

    Args:
        path: The file given with ``--domain``.

    Returns:
        The validated domain spec.

    Raises:
        UserInputError: If the file is missing, not YAML, or not a valid domain spec.
    """
    return load_domain_input(path).domain
