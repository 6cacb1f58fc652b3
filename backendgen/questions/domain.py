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
from pydantic import ValidationError

from backendgen.domain.declared import DomainSpec, RoleHint
from backendgen.domain.rename import map_reserved_names
from backendgen.errors import UserInputError
from backendgen.renderers import reserved_member_names

__all__ = [
    "CATALOGUE_PACKAGE",
    "DomainSpec",
    "RoleHint",
    "catalogue_domains",
    "load_catalogue_domain",
    "load_yaml_domain",
    "read_domain_text",
]


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
    warnings = map_reserved_names(data, reserved_member_names()) if isinstance(data, dict) else []
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
        domain.check_references()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        suffix = f" at {where}" if where else ""
        raise UserInputError(f"{origin}: {first['msg']}{suffix}") from None
    return domain
