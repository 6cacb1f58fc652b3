"""PCI DSS tokenisation of the ``security_compliance`` spec: which fields, masks, who detokenises.

A tokenised field accepts a full card number (PAN) on write and stores only a token in its
row; the PAN lives in a vault under a key of its own. :func:`tokenization_problems` checks the
settings against the core spec and the declared roles. Everything is closed by default: no
field is tokenised, no role detokenises, and the same PAN gets a new token each time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from backendgen.agents.consistency import duplicates
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.spec_base import PascalName, SnakeName, SpecPart

TOKEN_MIN_LENGTH = 28
"""Characters of a generated token: ``tok_`` and 24 hex digits; a tokenised field holds it."""

SAMPLE_TOKEN = "tok_" + "0123456789abcdef01234567"
"""A token of the generated form, which a tokenised field's pattern must accept."""


class TokenizedFieldSpec(SpecPart):
    """A cardholder-data field whose card number is replaced by a token before it is stored."""

    entity: PascalName = Field(description="Entity of the core spec holding the field.")
    field: SnakeName = Field(
        description=(
            "A string or text field of that entity; a write carries the PAN in it, the row "
            "and every response the token."
        )
    )


class PciTokenizationSpec(SpecPart):
    """PCI DSS 3.x: card numbers are tokenised, masked on display and detokenised by few."""

    fields: list[TokenizedFieldSpec] = Field(
        default_factory=list,
        max_length=20,
        description="Fields that take a PAN and store a token (none by default).",
    )
    mask: Literal["last4", "bin_last4"] = Field(
        default="last4",
        description=(
            "Masked form shown beside the token: 'last4' (default) shows only the last four "
            "digits; 'bin_last4' also the first six (the most PCI DSS 3.3 allows)."
        ),
    )
    detokenize_roles: list[SnakeName] = Field(
        default_factory=list,
        max_length=12,
        description=(
            "Declared roles that may read a PAN back from its token (audited); empty by "
            "default, so nobody may, administrators included."
        ),
    )
    deterministic: bool = Field(
        default=False,
        description=(
            "Give the same PAN the same token each time (a keyed HMAC finds it in the vault); "
            "false by default: every submission gets a new, unlinkable token."
        ),
    )


def tokenization_problems(
    core: CoreBackendSpec | None, roles: Sequence[str], spec: PciTokenizationSpec
) -> list[str]:
    """List what the tokenisation settings name that the specs lack.

    Args:
        core: The core spec, when known.
        roles: The declared roles, the administrator first.
        spec: The tokenisation settings.

    Returns:
        One message per duplicate, unknown role or field, field that is not a string or text
        field, or field too short to hold a token.
    """
    problems = duplicates((f"{f.entity}.{f.field}" for f in spec.fields), "tokenized field")
    problems += duplicates(spec.detokenize_roles, "detokenize role")
    problems += [
        f"detokenize role '{role}' is not a declared role"
        for role in spec.detokenize_roles
        if role not in roles
    ]
    if spec.detokenize_roles and not spec.fields:
        problems.append("detokenize roles are declared but no field is tokenized")
    if core is None:
        return problems
    for item in spec.fields:
        entity = core.entity(item.entity)
        field = next((f for f in entity.fields if f.name == item.field), None) if entity else None
        name = f"{item.entity}.{item.field}"
        if field is None:
            problems.append(f"tokenized field '{name}' is not a field of the core spec")
        elif field.type not in ("string", "text"):
            problems.append(f"tokenized field '{name}' must be a string or text field")
        elif not accepts_tokens(field.max_length, field.pattern):
            problems.append(
                f"tokenized field '{name}' cannot hold a token like '{SAMPLE_TOKEN}' "
                "(too short or another pattern)"
            )
    return problems


def accepts_tokens(max_length: int | None, pattern: str | None) -> bool:
    """Whether a field of this length and pattern can hold the generated tokens."""
    fits = max_length is None or max_length >= TOKEN_MIN_LENGTH
    return fits and (pattern is None or re.search(pattern, SAMPLE_TOKEN) is not None)


def tokenization_blueprint(
    core: CoreBackendSpec, pci_fields: Sequence[tuple[str, str]]
) -> PciTokenizationSpec:
    """Tokenise each PCI field that can hold a token; mask to the last four; nobody detokenises.

    Args:
        core: The core spec.
        pci_fields: (entity, field) of the cardholder-data fields (PCI DSS selected).

    Returns:
        The tokenisation settings (no fields when none can hold a token).
    """
    fields = []
    for entity_name, name in pci_fields:
        entity = core.entity(entity_name)
        field = next((f for f in entity.fields if f.name == name), None) if entity else None
        if field is not None and accepts_tokens(field.max_length, field.pattern):
            fields.append(TokenizedFieldSpec(entity=entity_name, field=name))
    return PciTokenizationSpec(fields=fields)
