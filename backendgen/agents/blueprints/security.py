"""Blueprint of the ``security_compliance`` agent: roles, permissions and controls."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import yaml

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.blueprints.ownership import row_scopes
from backendgen.agents.core_backend import CRUD_ACTIONS, CoreBackendSpec
from backendgen.agents.security_compliance import (
    AuthSpec,
    ControlSpec,
    EncryptedFieldSpec,
    ErasureCascadeSpec,
    PermissionSpec,
    RetentionSpec,
    RoleSpec,
    SecurityComplianceSpec,
)
from backendgen.questions.domain import RoleHint

DEFAULT_ROLES = (
    RoleHint(
        name="admin",
        description="Operates the service",
        permissions={"*": ["create", "read", "update", "delete"]},
    ),
    RoleHint(
        name="editor",
        description="Maintains the records",
        permissions={"*": ["create", "read", "update"]},
    ),
    RoleHint(name="viewer", description="Reads the records", permissions={"*": ["read"]}),
)
"""Roles used when the domain declares none."""

REGIME_RETENTION_DAYS = {"sox": 2555, "pci_dss": 365, "gdpr": 1095}
"""Retention applied to entities holding personal data, by regime (the longest one wins).

HIPAA has none: its documentation-retention control keeps records (see
:data:`DOCUMENTATION_RETENTION_DAYS`) rather than deleting them after six years."""

DOCUMENTATION_RETENTION_DAYS = {"hipaa": 2190}
"""Days every record is kept at least, by regime (HIPAA 164.316(b)(2): six years)."""

TOKEN_MINUTES = {"hipaa": 15, "pci_dss": 15, "sox": 30, "gdpr": 30}
"""Access token lifetime, by regime (the shortest one wins)."""

AUDITOR = RoleHint(
    name="auditor",
    description="Reads the audit log and its verification; no access to records",
    permissions={},
)
"""Role added for the selected regimes when the domain declares no audit reader of its own."""

AUDIT_READER_WORDS = ("audit", "compliance")
"""A domain role whose name holds one of these words reads the audit log (``compliance_officer``)."""

MAX_ROLES = 12
"""The spec's limit on roles: no auditor is added to a domain that already uses them all."""

FEATURES_NEEDING_LOGIN = {"password_policy", "token_expiry", "access_control"}
"""Control features the backend can only implement with its own authentication."""


@cache
def _controls_catalogue() -> dict[str, list[dict[str, str]]]:
    text = (
        resources.files("backendgen.catalogue")
        .joinpath("compliance", "controls.yml")
        .read_text("utf-8")
    )
    loaded: dict[str, list[dict[str, str]]] = yaml.safe_load(text)
    return loaded


def _permissions(roles: list[RoleHint], core: CoreBackendSpec) -> list[PermissionSpec]:
    """Expand ``"*"`` and drop entities the core spec lacks (a domain file may list extras)."""
    names = [e.name for e in core.entities]
    permissions: list[PermissionSpec] = []
    for role in roles:
        granted: dict[str, set[str]] = {}
        for entity, actions in role.permissions.items():
            for target in names if entity == "*" else [entity]:
                if target in names:
                    granted.setdefault(target, set()).update(actions)
        permissions += [
            PermissionSpec(
                role=role.name,
                entity=entity,
                actions=[a for a in CRUD_ACTIONS if a in granted[entity]],
            )
            for entity in names
            if granted.get(entity)
        ]
    return permissions


def _encrypted_fields(core: CoreBackendSpec, regimes: Sequence[str]) -> list[EncryptedFieldSpec]:
    """Encrypt PHI always, and personal data when a regime asks for encryption at rest."""
    encrypt_pii = bool(regimes)
    fields: list[EncryptedFieldSpec] = []
    for entity in core.entities:
        for field in entity.fields:
            sensitive = field.phi or (field.pii and encrypt_pii)
            if sensitive and field.type in ("string", "text") and not field.unique:
                reason = "PHI (HIPAA)" if field.phi else "personal data"
                fields.append(
                    EncryptedFieldSpec(entity=entity.name, field=field.name, reason=reason)
                )
    return fields


def _retention(source: BlueprintInput) -> list[RetentionSpec]:
    """Declared retention first; personal-data entities get the strictest regime's period."""
    core = source.core
    days = dict(source.domain.retention)
    regime_days = [
        REGIME_RETENTION_DAYS[r] for r in source.answers.compliance if r in REGIME_RETENTION_DAYS
    ]
    if regime_days:
        for entity in core.entities:
            if entity.has_pii and entity.name not in days:
                days[entity.name] = max(regime_days)
    names = {e.name for e in core.entities}
    return [RetentionSpec(entity=n, days=d) for n, d in days.items() if n in names]


def _erasure_cascades(core: CoreBackendSpec) -> list[ErasureCascadeSpec]:
    """Each relationship's erasure cascade (the same rule as the v3 -> v4 slot migration).

    A row's data is about the subject its first relationship to an entity holding personal
    data leads to (an encounter's patient, not its practitioner): that relationship, and every
    relationship of an entity with no such target, cascades as ``anonymize``; the others
    ``keep`` the referencing rows.
    """
    personal = {e.name for e in core.entities if e.has_pii}
    cascades: list[ErasureCascadeSpec] = []
    for entity in core.entities:
        owner = next((r.name for r in entity.relationships if r.target in personal), None)
        cascades += [
            ErasureCascadeSpec(
                entity=entity.name,
                relationship=rel.name,
                action="anonymize" if owner in (None, rel.name) else "keep",
            )
            for rel in entity.relationships
        ]
    return cascades


def _controls(
    source: BlueprintInput, *, has_encryption: bool, has_retention: bool
) -> list[ControlSpec]:
    """The chosen regimes' controls whose feature this backend implements."""
    unavailable: set[str] = set() if has_retention else {"retention"}
    if source.answers.auth == "none":
        unavailable |= FEATURES_NEEDING_LOGIN
    if not has_encryption:
        unavailable.add("field_encryption")
    catalogue = _controls_catalogue()
    return [
        ControlSpec(regime=regime, **control)
        for regime in source.answers.compliance
        for control in catalogue[regime]
        if control["feature"] not in unavailable
    ]


def security_blueprint(source: BlueprintInput) -> SecurityComplianceSpec:
    """Derive auth, roles, permissions and controls from the domain and the regimes.

    Args:
        source: Answers, domain and the core spec.

    Returns:
        The security and compliance spec.
    """
    core = source.core
    roles = source.domain.roles or list(DEFAULT_ROLES)
    regimes = list(source.answers.compliance)
    readers = _audit_readers(roles, regimes)
    declared = {r.name for r in roles}
    all_roles = [*roles, AUDITOR] if AUDITOR.name in set(readers) - declared else list(roles)
    encrypted = _encrypted_fields(core, regimes)
    retention = _retention(source)
    minutes = min((TOKEN_MINUTES[r] for r in regimes), default=60)
    strict = any(r in ("hipaa", "pci_dss") for r in regimes)
    return SecurityComplianceSpec(
        auth=AuthSpec(
            access_token_minutes=minutes,
            password_min_length=14 if strict else 12,
            default_role=roles[-1].name,
            registration="closed",
        ),
        roles=[RoleSpec(name=r.name, description=r.description) for r in all_roles],
        permissions=_permissions(roles, core),
        encrypted_fields=encrypted,
        retention=retention,
        controls=_controls(source, has_encryption=bool(encrypted), has_retention=bool(retention)),
        audit_log=True,
        row_scopes=row_scopes(roles, core),
        audit_readers=readers,
        erasure_cascades=_erasure_cascades(core),
        documentation_retention_days=max(
            (DOCUMENTATION_RETENTION_DAYS.get(r, 0) for r in regimes), default=0
        ),
    )


def _audit_readers(roles: Sequence[RoleHint], regimes: Sequence[str]) -> list[str]:
    """Roles besides the administrator that read the audit log.

    Domain roles named for audit or compliance read it. When a regime is selected and the
    domain has no such role, an ``auditor`` role (no access to records) is added for it, as
    auditors need the log without the data. Without a regime only the administrator reads it.
    """
    words = (*AUDIT_READER_WORDS, AUDITOR.name)
    named = [r.name for r in roles[1:] if any(word in r.name for word in words)]
    if named or not regimes or len(roles) >= MAX_ROLES:
        return named
    return [AUDITOR.name]
