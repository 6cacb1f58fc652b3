"""The ``security_compliance`` agent's slot spec: auth, roles, permissions, compliance."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from backendgen.agents.consistency import duplicates, unknown_entity_fields, upstream
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.spec_base import PascalName, ShortText, SlotSpec, SnakeName, SpecPart

Action = Literal["create", "read", "update", "delete"]
"""A CRUD action on an entity collection."""

Regime = Literal["gdpr", "hipaa", "sox", "pci_dss"]
"""A compliance regime."""

ControlFeature = Literal[
    "audit_log",
    "field_encryption",
    "access_control",
    "data_export",
    "right_to_erasure",
    "retention",
    "password_policy",
    "token_expiry",
]
"""A feature of the generated backend that implements (and tests) a compliance control."""


class AuthSpec(SpecPart):
    """How clients authenticate."""

    access_token_minutes: int = Field(
        default=30, ge=1, le=1440, description="Lifetime of an access token in minutes."
    )
    password_min_length: int = Field(
        default=12, ge=8, le=128, description="Shortest password accepted at sign-up."
    )
    default_role: SnakeName = Field(
        default="viewer", description="Role given to a user who signs up on their own."
    )


class RoleSpec(SpecPart):
    """A role users can hold."""

    name: SnakeName = Field(description="Role name in snake_case, e.g. 'admin'.")
    description: ShortText = Field(default="", description="Who holds the role and why.")


class PermissionSpec(SpecPart):
    """What one role may do with one entity."""

    role: SnakeName = Field(description="Name of a declared role.")
    entity: PascalName = Field(description="Name of an entity of the core spec.")
    actions: list[Action] = Field(
        min_length=1, max_length=4, description="Allowed actions on that entity."
    )


class EncryptedFieldSpec(SpecPart):
    """A field stored encrypted at rest."""

    entity: PascalName = Field(description="Entity holding the field.")
    field: SnakeName = Field(description="Field name within that entity (a string/text field).")
    reason: ShortText = Field(default="", description="Why it is encrypted (e.g. 'PHI').")


class RetentionSpec(SpecPart):
    """How long records of one entity are kept."""

    entity: PascalName = Field(description="Entity the policy applies to.")
    days: int = Field(ge=1, le=36500, description="Days a record is kept after creation.")
    action: Literal["delete", "anonymize"] = Field(
        default="delete", description="What happens to records older than that."
    )


class ControlSpec(SpecPart):
    """A compliance control mapped to the feature that implements it."""

    regime: Regime = Field(description="Regime the control belongs to.")
    control_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 .:()_/-]{0,40}$",
        max_length=41,
        description="Identifier of the control in the regime, e.g. 'Art. 17'.",
    )
    title: ShortText = Field(description="Short title of the control.")
    feature: ControlFeature = Field(description="Backend feature that implements the control.")


class SecurityComplianceSpec(SlotSpec):
    """Authentication, authorisation and compliance controls of the backend."""

    auth: AuthSpec = Field(default_factory=AuthSpec, description="Authentication settings.")
    roles: list[RoleSpec] = Field(
        min_length=1, max_length=12, description="Roles; the first is the administrator role."
    )
    permissions: list[PermissionSpec] = Field(
        default_factory=list, max_length=400, description="Permission matrix entries."
    )
    encrypted_fields: list[EncryptedFieldSpec] = Field(
        default_factory=list, max_length=100, description="Fields encrypted at rest."
    )
    retention: list[RetentionSpec] = Field(
        default_factory=list, max_length=80, description="Retention policies per entity."
    )
    controls: list[ControlSpec] = Field(
        default_factory=list, max_length=60, description="Compliance controls implemented."
    )
    audit_log: bool = Field(default=True, description="Record every write in an audit log.")

    @model_validator(mode="after")
    def _check_consistency(self, info: ValidationInfo) -> SecurityComplianceSpec:
        role_names = [r.name for r in self.roles]
        problems = duplicates(role_names, "role")
        if self.auth.default_role not in role_names:
            problems.append(f"auth.default_role '{self.auth.default_role}' is not a declared role")
        for perm in self.permissions:
            if perm.role not in role_names:
                problems.append(f"permission names unknown role '{perm.role}'")
        problems += duplicates((f"{p.role}:{p.entity}" for p in self.permissions), "permission")
        problems += duplicates(
            (f"{f.entity}.{f.field}" for f in self.encrypted_fields), "encrypted field"
        )
        core = upstream(info, "core_backend")
        if isinstance(core, CoreBackendSpec):
            problems += unknown_entity_fields(
                core, ((p.entity, None) for p in self.permissions), "permission"
            )
            problems += unknown_entity_fields(
                core, ((f.entity, f.field) for f in self.encrypted_fields), "encrypted field"
            )
            problems += unknown_entity_fields(
                core, ((r.entity, None) for r in self.retention), "retention policy"
            )
            for enc in self.encrypted_fields:
                entity = core.entity(enc.entity)
                field = (
                    next((f for f in entity.fields if f.name == enc.field), None)
                    if entity
                    else None
                )
                if field is not None and (field.type not in ("string", "text") or field.unique):
                    problems.append(
                        f"encrypted field '{enc.entity}.{enc.field}' must be a non-unique "
                        "string or text field"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self
