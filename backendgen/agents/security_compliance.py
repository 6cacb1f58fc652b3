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
    "documentation_retention",
    "consent",
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
        default="viewer",
        description="Role given to a user who signs up on their own (open registration only).",
    )
    registration: Literal["closed", "open"] = Field(
        default="closed",
        description=(
            "'closed': only administrators create accounts; 'open': anyone may sign up and "
            "gets default_role, which must be least-privilege (see SecurityComplianceSpec)."
        ),
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


class ErasureCascadeSpec(SpecPart):
    """What erasing a data subject does to the rows that reference it through one relationship."""

    entity: PascalName = Field(description="Entity holding the relationship (referencing rows).")
    relationship: SnakeName = Field(description="Name of the relationship of that entity.")
    action: Literal["anonymize", "delete", "hold", "keep"] = Field(
        default="anonymize",
        description=(
            "'anonymize': erase the referencing rows' personal fields too (and cascade on); "
            "'delete': delete them; 'hold': keep them as they are under a legal hold; "
            "'keep': leave them (and the rows reaching them) as they are, e.g. an encounter "
            "when its practitioner, not its patient, is erased."
        ),
    )


class OwnedEntitySpec(SpecPart):
    """An entity whose rows belong to the principal record they lead to."""

    entity: PascalName = Field(description="Entity whose rows are owned.")
    via: list[SnakeName] = Field(
        default_factory=list,
        max_length=6,
        description=(
            "Relationship names followed from the entity to the principal entity, e.g. "
            "['purchase_order', 'customer'] for OrderLine; [] for the principal itself."
        ),
    )


class RowScopeSpec(SpecPart):
    """A role limited to its own rows: those leading to the principal record of the user."""

    role: SnakeName = Field(description="A declared role other than the administrator.")
    principal: PascalName = Field(
        description="Entity whose record stands for a user of the role, e.g. 'Customer'."
    )
    owned: list[OwnedEntitySpec] = Field(
        min_length=1,
        max_length=60,
        description="Entities whose rows the role sees only its own of.",
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

    schema_version: int = 4
    """Version 2 added ``auth.registration`` and ``row_scopes``; version 3 ``audit_readers``;
    version 4 ``erasure_cascades``, ``documentation_retention_days`` and the ``consent`` and
    ``documentation_retention`` control features."""

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
    row_scopes: list[RowScopeSpec] = Field(
        default_factory=list,
        max_length=12,
        description="Roles that may touch only their own rows of the owned entities.",
    )
    audit_readers: list[SnakeName] = Field(
        default_factory=list,
        max_length=12,
        description=(
            "Declared roles other than the administrator that read the audit log and its "
            "verification through the API (GET /audit); the administrator always can."
        ),
    )

    erasure_cascades: list[ErasureCascadeSpec] = Field(
        default_factory=list,
        max_length=200,
        description=(
            "Per relationship, what erasing the referenced subject does to the referencing "
            "rows; a relationship not listed cascades with 'anonymize'."
        ),
    )
    documentation_retention_days: int = Field(
        default=0,
        ge=0,
        le=36500,
        description=(
            "Days every record is kept at least, whatever the retention policies say "
            "(HIPAA 164.316(b)(2): 2190); 0 for no minimum."
        ),
    )

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
        problems += self._row_scope_problems(role_names)
        problems += duplicates(self.audit_readers, "audit reader")
        for reader in self.audit_readers:
            if reader not in role_names:
                problems.append(f"audit reader '{reader}' is not a declared role")
        problems += duplicates(
            (f"{c.entity}.{c.relationship}" for c in self.erasure_cascades), "erasure cascade"
        )
        core = upstream(info, "core_backend")
        if isinstance(core, CoreBackendSpec):
            problems += _ownership_problems(self, core)
            problems += _cascade_problems(self, core)
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

    def _row_scope_problems(self, role_names: list[str]) -> list[str]:
        """Row scopes name non-administrator roles once each; open sign-up is least-privilege."""
        problems = duplicates((s.role for s in self.row_scopes), "row scope role")
        admin = role_names[0] if role_names else None
        for scope in self.row_scopes:
            if scope.role not in role_names or scope.role == admin:
                problems.append(f"row scope names '{scope.role}', not a non-administrator role")
            problems += duplicates((o.entity for o in scope.owned), f"{scope.role} owned entity")
        if self.auth.registration == "open" and self.auth.default_role == admin:
            problems.append("open registration cannot give the administrator role")
        return problems

    def scope_of(self, role: str) -> RowScopeSpec | None:
        """Return the row scope of ``role``, or None when the role is not limited to its rows."""
        return next((s for s in self.row_scopes if s.role == role), None)


def _ownership_problems(spec: SecurityComplianceSpec, core: CoreBackendSpec) -> list[str]:
    """Check owned entities' paths against the core spec, and least privilege of open sign-up."""
    problems: list[str] = []
    for scope in spec.row_scopes:
        if core.entity(scope.principal) is None:
            problems.append(f"row scope of '{scope.role}' names unknown entity '{scope.principal}'")
            continue
        for owned in scope.owned:
            problems += _path_problems(core, scope, owned)
    if spec.auth.registration == "open":
        own = spec.scope_of(spec.auth.default_role)
        owned_names = {o.entity for o in own.owned} if own else set()
        for perm in spec.permissions:
            entity = core.entity(perm.entity)
            if perm.role != spec.auth.default_role or perm.entity in owned_names:
                continue
            if set(perm.actions) != {"read"} or (entity is not None and entity.has_pii):
                problems.append(
                    f"open registration gives '{perm.role}' {perm.actions} on {perm.entity}, "
                    "which it does not own: only reads of entities without personal data are "
                    "allowed beyond its own rows"
                )
    return problems


def _cascade_problems(spec: SecurityComplianceSpec, core: CoreBackendSpec) -> list[str]:
    """Every erasure cascade names an existing relationship of an existing entity."""
    problems: list[str] = []
    for cascade in spec.erasure_cascades:
        entity = core.entity(cascade.entity)
        if entity is None or cascade.relationship not in {r.name for r in entity.relationships}:
            name = f"{cascade.entity}.{cascade.relationship}"
            problems.append(f"erasure cascade names unknown relationship '{name}'")
    return problems


def _path_problems(core: CoreBackendSpec, scope: RowScopeSpec, owned: OwnedEntitySpec) -> list[str]:
    """Follow ``owned.via`` from the owned entity; it must end at the principal entity."""
    current = core.entity(owned.entity)
    if current is None:
        return [f"row scope of '{scope.role}' names unknown entity '{owned.entity}'"]
    for name in owned.via:
        relationship = next((r for r in current.relationships if r.name == name), None)
        target = core.entity(relationship.target) if relationship else None
        if target is None:
            return [
                f"'{owned.entity}' ownership path: '{current.name}' has no relationship '{name}'"
            ]
        current = target
    if current.name != scope.principal:
        return [
            f"'{owned.entity}' ownership path {owned.via} ends at '{current.name}', "
            f"not at the principal '{scope.principal}'"
        ]
    return []
