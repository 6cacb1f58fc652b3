"""Domain input: the curated catalogue and user-supplied YAML domain specs.

A domain spec is data, never code: entities and enums (exactly the core backend spec's
shapes) plus the hints the other blueprints use (roles, retention, glossary, test samples).
The catalogue in ``backendgen/catalogue/*.yml`` uses the same format as ``--domain FILE``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backendgen.agents.core_backend import CoreBackendSpec, EntitySpec, EnumSpec
from backendgen.agents.security_compliance import Action
from backendgen.agents.spec_base import PascalName, ShortText, SnakeName
from backendgen.agents.testing_qa import InvalidPayloadSpec, JsonScalar
from backendgen.errors import UserInputError
from backendgen.questions.reserved import map_reserved_names


class RoleHint(BaseModel):
    """A role and what it may do, entity by entity (``"*"`` means every entity)."""

    model_config = ConfigDict(extra="forbid")

    name: SnakeName = Field(description="Role name in snake_case.")
    description: ShortText = Field(default="", description="Who holds the role.")
    permissions: dict[str, list[Action]] = Field(
        default_factory=dict, description="Entity name (or '*') to allowed actions."
    )
    principal: PascalName | None = Field(
        default=None,
        description=(
            "Entity whose record stands for a user of this role (e.g. 'Customer'); the role "
            "then sees and writes only the rows that lead to its own record. Defaults to the "
            "entity named like the role, if any."
        ),
    )
    withheld_phi: dict[str, list[SnakeName]] = Field(
        default_factory=dict,
        description=(
            "HIPAA minimum necessary: entity name to the PHI fields this role's work does not "
            "need (e.g. {'Encounter': ['clinical_notes']}); responses to it carry them as null."
        ),
    )


class DomainSpec(BaseModel):
    """A business domain: its entities plus hints for the security, docs and test blueprints."""

    model_config = ConfigDict(extra="forbid")

    title: ShortText = Field(default="Custom domain", description="Human name of the domain.")
    summary: ShortText = Field(default="", description="One sentence on the domain.")
    entities: list[EntitySpec] = Field(
        description="The domain's entities; an empty list generates the application skeleton."
    )
    enums: list[EnumSpec] = Field(default_factory=list, description="Enums fields refer to.")
    roles: list[RoleHint] = Field(
        default_factory=list, description="Roles; the first is the administrator."
    )
    retention: dict[str, int] = Field(
        default_factory=dict, description="Entity name to days records are kept."
    )
    glossary: dict[str, ShortText] = Field(default_factory=dict, description="Domain terms.")
    samples: dict[str, dict[str, JsonScalar]] = Field(
        default_factory=dict, description="Entity name to one valid create payload."
    )
    invalid: list[InvalidPayloadSpec] = Field(
        default_factory=list, description="Payloads the API must reject."
    )

    def core_spec(self) -> CoreBackendSpec:
        """Return the core backend spec this domain declares (validated)."""
        return CoreBackendSpec(entities=self.entities, enums=self.enums)


CATALOGUE_PACKAGE = "backendgen.catalogue"


def catalogue_domains() -> list[str]:
    """Return the names of the catalogue's domains, sorted."""
    files = resources.files(CATALOGUE_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yml") for f in files if f.name.endswith(".yml"))


def load_catalogue_domain(name: str) -> DomainSpec:
    """Load one domain of the catalogue.

    Args:
        name: A catalogue domain name, e.g. ``ecommerce``.

    Returns:
        The validated domain spec.

    Raises:
        UserInputError: If no such domain exists.
    """
    if name not in catalogue_domains():
        known = ", ".join(catalogue_domains())
        raise UserInputError(f"unknown domain '{name}' (catalogue: {known})")
    text = resources.files(CATALOGUE_PACKAGE).joinpath(f"{name}.yml").read_text("utf-8")
    return _validate(yaml.safe_load(text), f"catalogue domain '{name}'")


def load_domain_file(path: Path) -> DomainSpec:
    """Load a user's domain spec (YAML, or JDL by suffix).

    Args:
        path: The file given with ``--domain``.

    Returns:
        The validated domain spec.

    Raises:
        UserInputError: If the file is missing, not YAML, or not a valid domain spec.
    """
    if path.suffix.lower() in (".jdl", ".jh"):
        from backendgen.questions.jdl import load_jdl  # JDL files (jdl imports this module)

        return load_jdl(path)[0]
    return load_yaml_domain(path)[0]


def load_yaml_domain(path: Path) -> tuple[DomainSpec, list[str]]:
    """Load a YAML domain spec, renaming reserved names first.

    Args:
        path: The YAML file.

    Returns:
        The validated domain spec and one warning per renamed name.

    Raises:
        UserInputError: If the file is missing, not YAML, or not a valid domain spec.
    """
    text = read_domain_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UserInputError(f"{path}{line}: not valid YAML") from None
    warnings = map_reserved_names(data) if isinstance(data, dict) else []
    return _validate(data, str(path)), [f"{path}: {warning}" for warning in warnings]


def read_domain_text(path: Path) -> str:
    """Read a domain file as UTF-8 text.

    Raises:
        UserInputError: If it is unreadable or not UTF-8 (one line naming the file).
    """
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserInputError(f"{path}: cannot read domain file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise UserInputError(f"{path}: domain file is not UTF-8 text") from None


def _validate(data: Any, origin: str) -> DomainSpec:
    """Validate parsed YAML as a domain spec, including the core spec's cross-references."""
    if not isinstance(data, dict):
        raise UserInputError(f"{origin}: a domain spec is a mapping with 'entities'")
    try:
        domain = DomainSpec.model_validate(data)
        domain.core_spec()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        suffix = f" at {where}" if where else ""
        raise UserInputError(f"{origin}: {first['msg']}{suffix}") from None
    return domain
