"""The answers model: a typed mirror of the questions in ``copier.yml``.

``copier.yml`` stays the single source of the questions (plain ``copier copy`` asks them too);
this model validates what users pass to ``backendgen`` and what Copier records, so bad input
fails before anything is written. ``tests/unit/test_answers.py`` keeps both in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backendgen.errors import UserInputError
from backendgen.renderers.controls import check_control_gaps

PROJECT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,62}$"
"""Letters, digits, '-' and '_', starting with a letter (also a valid distribution name)."""

Domain = Literal["ecommerce", "healthcare", "fintech", "saas", "education", "logistics", "custom"]
Regime = Literal["gdpr", "hipaa", "sox", "pci_dss"]

SLOT_ANSWER_PREFIX = "slot_"
"""Prefix of the hidden answers carrying the agents' slot specs (``slot_<agent>``); the agent
registry (``backendgen.agents.registry.AGENT_SLOTS``) lists them."""

DOMAIN_SPEC_ANSWER = "domain_spec"
"""The Copier answer recording the declared domain (a ``DomainSpec`` as JSON), so later runs
rebuild the same domain: a YAML or JDL file's roles, retention and samples included."""


def is_backendgen_answer(key: str) -> bool:
    """Whether ``key`` is a hidden answer backendgen writes itself (users never set them).

    Args:
        key: A Copier answer's name.

    Returns:
        True for an agent's slot (``slot_<agent>``) and the declared domain.
    """
    return key.startswith(SLOT_ANSWER_PREFIX) or key == DOMAIN_SPEC_ANSWER


class Answers(BaseModel):
    """The questionnaire's answers (everything in ``copier.yml`` but the hidden answers)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project_name: str = Field(pattern=PROJECT_NAME_PATTERN, description="Project name.")
    project_description: str = Field(max_length=300, description="What the service does.")
    domain: Domain = Field(description="Catalogue domain, or 'custom' for a --domain file.")
    framework: Literal["fastapi", "django"] = Field(
        description="Web framework of the generated code (a renderer of backendgen.renderers)."
    )
    database: Literal["postgresql", "sqlite"] = Field(description="Database engine.")
    auth: Literal["jwt", "none"] = Field(description="Authentication scheme.")
    compliance: list[Regime] = Field(description="Compliance regimes to implement.")
    accept_control_gaps: bool = Field(
        default=False,
        description="Generate even though the framework's output lacks controls the selected "
        "regimes need (backendgen.renderers.controls); closed by default.",
    )
    scale: Literal["small", "medium", "large", "enterprise"] = Field(description="Scale.")
    deployment: Literal["kubernetes", "docker_compose"] = Field(description="Deployment target.")
    ci_provider: Literal["github", "gitlab", "none"] = Field(description="CI provider.")
    requirements: str = Field(default="", max_length=4000, description="Free-text requirements.")


def _first_error(error: ValidationError) -> str:
    """Turn a pydantic error into one line naming the answer and what is wrong."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "answers"
    given = first.get("input")
    shown = f" (got {given!r})" if isinstance(given, str | int | float | list) else ""
    return f"invalid answer '{where}': {first['msg']}{shown}"


def check_partial_answers(given: Mapping[str, Any]) -> None:
    """Validate the answers a user gave before Copier fills in the defaults.

    Args:
        given: Answers from flags or an answers file; may be incomplete.

    Raises:
        UserInputError: For an unknown question or an invalid value (one line).
    """
    fields = Answers.model_fields
    blank = Answers.model_construct()  # type: ignore[call-arg]  # validate_assignment target
    for key, value in given.items():
        if is_backendgen_answer(key) or key.startswith("_"):
            raise UserInputError(f"answer '{key}' is set by backendgen, not by the user")
        if key not in fields:
            raise UserInputError(f"unknown question '{key}' (known: {', '.join(fields)})")
        try:
            Answers.__pydantic_validator__.validate_assignment(blank, key, value)
        except ValidationError as error:
            raise UserInputError(_first_error(error)) from None


def parse_answers(recorded: Mapping[str, Any]) -> Answers:
    """Validate a complete set of answers, e.g. as Copier recorded them.

    Args:
        recorded: Every answer; Copier's private keys and backendgen's hidden answers (the
            slots, the domain spec) are ignored.

    Returns:
        The validated answers.

    Raises:
        UserInputError: When an answer is missing or invalid, or the framework lacks controls
            the selected regimes need and the gaps are not accepted (one line).
    """
    data = {
        k: v for k, v in recorded.items() if not k.startswith("_") and not is_backendgen_answer(k)
    }
    try:
        answers = Answers.model_validate(data)
    except ValidationError as error:
        raise UserInputError(_first_error(error)) from None
    check_control_gaps(answers.model_dump())
    return answers
