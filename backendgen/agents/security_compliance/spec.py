"""The ``security_compliance`` agent's slot spec: auth, roles, permissions, compliance."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from backendgen.agents.consistency import duplicates, unknown_entity_fields, upstream
from backendgen.agents.core_backend import USERS_TARGET, CoreBackendSpec
from backendgen.agents.hipaa_controls import (
    BreakGlassSpec,
    MinimumNecessarySpec,
    break_glass_problems,
    minimum_necessary_problems,
    phi_entities,
)
from backendgen.agents.pci_controls import PciTokenizationSpec, tokenization_problems
from backendgen.agents.sox_controls import (
    DistinctReferencesSpec,
    ImmutableRecordSpec,
    MakerCheckerSpec,
    sox_problems,
)
from backendgen.agents.spec_base import PascalName, ShortText, SlotSpec, SnakeName, SpecPart
from backendgen.domain.naming import MAX_IDENTIFIER_LENGTH
from backendgen.domain.roles import Action

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
    "card_number_guard",
    "sox_immutability",
    "sox_maker_checker",
    "sox_distinct_references",
    "hipaa_minimum_necessary",
    "documentation_retention",
    "consent",
    "hipaa_break_glass",
    "pci_tokenization",
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
    """A field stored encrypted at rest, whatever its type."""

    entity: PascalName = Field(description="Entity holding the field.")
    field: SnakeName = Field(description="Field name within that entity (any type).")
    reason: ShortText = Field(default="", description="Why it is encrypted (e.g. 'PHI').")
    blind_index: bool = Field(
        default=False,
        description=(
            "Keep an HMAC blind index beside the ciphertext, so that the field can be filtered "
            "by equality and be unique; required for unique fields. Sorting and range filters "
            "are never possible on an encrypted field."
        ),
    )
    pci: bool = Field(
        default=False,
        description=(
            "Cardholder data under PCI DSS (a card token or number): encrypted and indexed; "
            "a full card number (PAN) is never accepted in it."
        ),
    )


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

    schema_version: int = 6
    """Version 2 added ``auth.registration`` and ``row_scopes``; version 3 ``audit_readers``;
    version 4 the SOX controls ``sox_immutable_records``, ``sox_maker_checker`` and
    ``sox_distinct_references``, the HIPAA control ``hipaa_minimum_necessary``,
    ``encrypted_fields[].blind_index``, ``encrypted_fields[].pci`` and ``pan_guard``,
    ``erasure_cascades``, ``documentation_retention_days`` and the ``consent`` and
    ``documentation_retention`` control features; version 5 the HIPAA ``break_glass``
    settings and the ``hipaa_break_glass`` control feature; version 6 ``pci_tokenization``
    and the ``pci_tokenization`` control feature."""

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

    sox_immutable_records: list[ImmutableRecordSpec] = Field(
        default_factory=list,
        max_length=40,
        description=(
            "SOX: records that no one, administrators included, edits or deletes once final "
            "(settled, posted); corrections are new, reversing records."
        ),
    )
    sox_maker_checker: list[MakerCheckerSpec] = Field(
        default_factory=list,
        max_length=40,
        description="SOX: approvals a second person must give (the maker is not the checker).",
    )
    sox_distinct_references: list[DistinctReferencesSpec] = Field(
        default_factory=list,
        max_length=40,
        description="Pairs of references that must differ, e.g. source and destination account.",
    )
    pan_guard: bool = Field(
        default=False,
        description=(
            "PCI DSS: refuse (422) any string or text field value holding a card number (13 to "
            "19 digits, spaces or dashes allowed, passing the Luhn check)."
        ),
    )
    pci_tokenization: PciTokenizationSpec = Field(
        default_factory=PciTokenizationSpec,
        description=(
            "PCI DSS: fields whose card number is replaced by a token, the masked form shown, "
            "and the roles that may detokenise; nothing tokenised and nobody by default."
        ),
    )
    hipaa_minimum_necessary: list[MinimumNecessarySpec] = Field(
        default_factory=list,
        max_length=120,
        description=(
            "HIPAA minimum necessary: per role and entity, the PHI fields the role does not "
            "need, which every response to it carries as null."
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
    break_glass: BreakGlassSpec = Field(
        default_factory=BreakGlassSpec,
        description=(
            "HIPAA emergency access: the roles that may open a time-boxed, audited grant to "
            "PHI they normally do not read, with a mandatory reason; none by default."
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
        problems += self._spec_feature_problems()
        problems += duplicates(
            (f"{c.entity}.{c.relationship}" for c in self.erasure_cascades), "erasure cascade"
        )
        core = upstream(info, "core_backend")
        problems += minimum_necessary_problems(
            core if isinstance(core, CoreBackendSpec) else None,
            role_names,
            self.hipaa_minimum_necessary,
        )
        problems += break_glass_problems(
            core if isinstance(core, CoreBackendSpec) else None, role_names, self.break_glass
        )
        problems += tokenization_problems(
            core if isinstance(core, CoreBackendSpec) else None, role_names, self.pci_tokenization
        )
        if isinstance(core, CoreBackendSpec):
            problems += _ownership_problems(self, core)
            problems += sox_problems(
                core,
                self.sox_immutable_records,
                self.sox_maker_checker,
                self.sox_distinct_references,
            )
            problems += _cascade_problems(self, core)
            problems += _break_glass_limits(self, core)
            problems += unknown_entity_fields(
                core, ((p.entity, None) for p in self.permissions), "permission"
            )
            problems += unknown_entity_fields(
                core, ((f.entity, f.field) for f in self.encrypted_fields), "encrypted field"
            )
            problems += unknown_entity_fields(
                core, ((r.entity, None) for r in self.retention), "retention policy"
            )
            problems += _encrypted_field_problems(self, core)
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

    def _spec_feature_problems(self) -> list[str]:
        """A control of a feature that acts on a spec list needs entries in that list."""
        lists = {
            "sox_immutability": self.sox_immutable_records,
            "sox_maker_checker": self.sox_maker_checker,
            "sox_distinct_references": self.sox_distinct_references,
            "hipaa_minimum_necessary": self.hipaa_minimum_necessary,
            "hipaa_break_glass": self.break_glass.roles,
            "pci_tokenization": self.pci_tokenization.fields,
        }
        return [
            f"control '{c.regime}:{c.control_id}' needs {c.feature} entries in the spec"
            for c in self.controls
            if c.feature in lists and not lists[c.feature]
        ]

    def withheld_from(self, role: str, entity: str) -> list[str]:
        """Return the PHI fields of ``entity`` that responses to ``role`` carry as null."""
        return next(
            (
                e.withheld
                for e in self.hipaa_minimum_necessary
                if (e.role, e.entity) == (role, entity)
            ),
            [],
        )

    def scope_of(self, role: str) -> RowScopeSpec | None:
        """Return the row scope of ``role``, or None when the role is not limited to its rows."""
        return next((s for s in self.row_scopes if s.role == role), None)


INDEX_SUFFIX = "_bidx"
"""Suffix of the blind-index column the generated model adds beside an indexed field."""


def _encrypted_field_problems(spec: SecurityComplianceSpec, core: CoreBackendSpec) -> list[str]:
    """Unique encrypted fields need a blind index, whose column must not clash or be too long."""
    problems: list[str] = []
    for enc in spec.encrypted_fields:
        entity = core.entity(enc.entity)
        field = next((f for f in entity.fields if f.name == enc.field), None) if entity else None
        if entity is None or field is None:
            continue
        if field.unique and not enc.blind_index:
            problems.append(
                f"encrypted field '{enc.entity}.{enc.field}' is unique and needs a blind index"
            )
        if enc.pci and field.type not in ("string", "text"):
            problems.append(f"PCI field '{enc.entity}.{enc.field}' must be a string or text field")
        if enc.blind_index:
            column = f"{enc.field}{INDEX_SUFFIX}"
            taken = {f.name for f in entity.fields} | {r.column for r in entity.relationships}
            if column in taken or len(column) > MAX_IDENTIFIER_LENGTH:
                problems.append(
                    f"blind index column '{column}' of '{enc.entity}' clashes with a field or "
                    "is longer than 63 characters"
                )
    return problems


def _break_glass_limits(spec: SecurityComplianceSpec, core: CoreBackendSpec) -> list[str]:
    """Each break-glass role must have PHI a grant opens: withheld fields or an entity denied.

    Entities the role sees only its own rows of do not count (the grant lifts that limit too,
    but a role needing other people's rows in an emergency has PHI withheld or denied as well).
    """
    problems: list[str] = []
    for role in spec.break_glass.roles:
        scope = spec.scope_of(role)
        owned = {o.entity for o in scope.owned} if scope else set()
        readable = {p.entity for p in spec.permissions if p.role == role and "read" in p.actions}
        if not any(
            name not in owned and (name not in readable or spec.withheld_from(role, name))
            for name in phi_entities(core)
        ):
            problems.append(
                f"break-glass role '{role}' reads all PHI in full already: a grant opens nothing"
            )
    return problems


def _ownership_problems(spec: SecurityComplianceSpec, core: CoreBackendSpec) -> list[str]:
    """Check owned entities' paths against the core spec, and least privilege of open sign-up."""
    problems: list[str] = []
    for scope in spec.row_scopes:
        if core.entity(scope.principal) is None and scope.principal != USERS_TARGET:
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
    """Follow ``owned.via`` from the owned entity; it must end at the principal entity.

    The principal ``User`` (the users table) ends a path at a reference to ``User``.
    """
    current = core.entity(owned.entity)
    if current is None:
        return [f"row scope of '{scope.role}' names unknown entity '{owned.entity}'"]
    reached = current.name
    for name in owned.via:
        relationship = (
            next((r for r in current.relationships if r.name == name), None)
            if current is not None
            else None
        )
        target = core.entity(relationship.target) if relationship else None
        if relationship is None or (target is None and relationship.target != USERS_TARGET):
            return [f"'{owned.entity}' ownership path: '{reached}' has no relationship '{name}'"]
        current, reached = target, relationship.target
    if reached != scope.principal:
        return [
            f"'{owned.entity}' ownership path {owned.via} ends at '{reached}', "
            f"not at the principal '{scope.principal}'"
        ]
    return []
