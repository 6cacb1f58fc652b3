"""Blueprint of the ``security_compliance`` agent: roles, permissions and controls."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import yaml

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.blueprints.ownership import row_scopes
from backendgen.agents.blueprints.sox import sox_controls
from backendgen.agents.core_backend import CRUD_ACTIONS, CoreBackendSpec
from backendgen.agents.hipaa_controls import BreakGlassSpec, MinimumNecessarySpec, phi_entities
from backendgen.agents.pci_controls import PciTokenizationSpec, tokenization_blueprint
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
from backendgen.domain.roles import RoleHint

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

SPEC_FEATURES = (
    "sox_immutability",
    "sox_maker_checker",
    "sox_distinct_references",
    "hipaa_minimum_necessary",
    "hipaa_break_glass",
    "pci_tokenization",
)
"""Control features that exist only where the spec declares what they act on."""


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


PCI_FIELD_NAMES = ("card_token", "card_number", "pan", "primary_account_number")
"""Field names (or name endings) of cardholder data, encrypted when PCI DSS is selected."""


def _is_pci(name: str) -> bool:
    """Whether a field name names cardholder data (``card_token``, ``billing_card_number``)."""
    return any(name == word or name.endswith(f"_{word}") for word in PCI_FIELD_NAMES)


def _encrypted_fields(core: CoreBackendSpec, regimes: Sequence[str]) -> list[EncryptedFieldSpec]:
    """Encrypt PHI always, personal data when a regime is selected, cardholder data under PCI.

    Every flagged field is encrypted whatever its type. Unique fields, e-mail addresses and
    identifiers (strings with a pattern) get a blind index, so that they stay unique and
    can be filtered by equality; other fields (names, notes, dates, enums) are not indexed,
    since an index of a low-cardinality value would show which records share it.
    """
    encrypt_pii = bool(regimes)
    pci = "pci_dss" in regimes
    fields: list[EncryptedFieldSpec] = []
    for entity in core.entities:
        for field in entity.fields:
            card = pci and field.type in ("string", "text") and _is_pci(field.name)
            if not (field.phi or (field.pii and encrypt_pii) or card):
                continue
            reason = "PHI (HIPAA)" if field.phi else "personal data"
            fields.append(
                EncryptedFieldSpec(
                    entity=entity.name,
                    field=field.name,
                    reason="cardholder data (PCI DSS)" if card else reason,
                    blind_index=card
                    or field.unique
                    or field.type == "email"
                    or (field.type == "string" and field.pattern is not None),
                    pci=card,
                )
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
    source: BlueprintInput,
    *,
    has_encryption: bool,
    has_retention: bool,
    declared: Sequence[str] = (),
) -> list[ControlSpec]:
    """The chosen regimes' controls whose feature this backend implements.

    ``declared`` lists the :data:`SPEC_FEATURES` the spec gives something to act on.
    """
    unavailable: set[str] = set() if has_retention else {"retention"}
    unavailable |= set(SPEC_FEATURES) - set(declared)
    if source.answers.auth == "none":
        unavailable |= FEATURES_NEEDING_LOGIN
    if not has_encryption:
        unavailable.add("field_encryption")
    if not source.core.entities:
        unavailable.add("card_number_guard")
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
    sox = sox_controls(core) if "sox" in regimes and source.answers.auth != "none" else ([], [], [])
    withheld = _minimum_necessary(roles, core) if source.answers.auth != "none" else []
    glass = _break_glass(withheld, core) if "hipaa" in regimes else BreakGlassSpec()
    tokens = (
        tokenization_blueprint(core, [(f.entity, f.field) for f in encrypted if f.pci])
        if "pci_dss" in regimes and source.answers.auth != "none"
        else PciTokenizationSpec()
    )
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
        controls=_controls(
            source,
            has_encryption=bool(encrypted),
            has_retention=bool(retention),
            declared=[
                name
                for name, items in zip(
                    SPEC_FEATURES, [*sox, withheld, glass.roles, tokens.fields], strict=True
                )
                if items
            ],
        ),
        audit_log=True,
        row_scopes=row_scopes(roles, core),
        audit_readers=readers,
        sox_immutable_records=sox[0],
        sox_maker_checker=sox[1],
        sox_distinct_references=sox[2],
        pan_guard="pci_dss" in regimes,
        hipaa_minimum_necessary=withheld,
        break_glass=glass,
        pci_tokenization=tokens,
        erasure_cascades=_erasure_cascades(core),
        documentation_retention_days=max(
            (DOCUMENTATION_RETENTION_DAYS.get(r, 0) for r in regimes), default=0
        ),
    )


def _minimum_necessary(
    roles: Sequence[RoleHint], core: CoreBackendSpec
) -> list[MinimumNecessarySpec]:
    """The PHI each non-administrator role's hint withholds, limited to PHI the core spec has."""
    entries: list[MinimumNecessarySpec] = []
    for role in roles[1:]:
        for name, fields in role.withheld_phi.items():
            entity = core.entity(name)
            phi = {f.name for f in entity.fields if f.phi} if entity else set()
            withheld = [f for f in fields if f in phi]
            if withheld:
                entries.append(MinimumNecessarySpec(role=role.name, entity=name, withheld=withheld))
    return entries


def _break_glass(withheld: Sequence[MinimumNecessarySpec], core: CoreBackendSpec) -> BreakGlassSpec:
    """Let the roles that minimum necessary filters break glass (HIPAA emergency access).

    Those roles handle the records whose PHI they normally do not read, so they are the ones
    an emergency can require to read it; every other role stays unable to (closed).
    """
    roles = list(dict.fromkeys(entry.role for entry in withheld))
    return BreakGlassSpec(roles=roles if phi_entities(core) else [])


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
