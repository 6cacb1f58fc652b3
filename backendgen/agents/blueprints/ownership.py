"""Row scopes of the ``security_compliance`` blueprint: which roles see only their own rows."""

from __future__ import annotations

from collections import deque

from backendgen.agents.core_backend import USERS_TARGET, CoreBackendSpec
from backendgen.agents.security_compliance import OwnedEntitySpec, RowScopeSpec
from backendgen.domain.roles import RoleHint


def ownership_paths(core: CoreBackendSpec, principal: str) -> list[OwnedEntitySpec]:
    """Every entity that leads to ``principal`` through relationships, by its shortest path.

    Args:
        core: The core spec.
        principal: Name of the entity whose record stands for a user.

    Returns:
        The principal itself (empty path) and each entity referring to it, directly or
        through other entities, with the relationship names followed (ties: declared order).
    """
    paths: dict[str, list[str]] = {principal: []}
    queue = deque([principal])
    while queue:
        target = queue.popleft()
        for entity in core.entities:
            for relationship in entity.relationships:
                if relationship.target == target and entity.name not in paths:
                    paths[entity.name] = [relationship.name, *paths[target]]
                    queue.append(entity.name)
    order = [e.name for e in core.entities]
    return [
        OwnedEntitySpec(entity=name, via=paths[name])
        for name in sorted(paths.keys() & set(order), key=order.index)
    ]


def row_scopes(roles: list[RoleHint], core: CoreBackendSpec) -> list[RowScopeSpec]:
    """Limit each non-administrator role that stands for an entity to the rows it owns.

    A role's principal is the one it declares, else the entity named like the role
    (``customer`` -> ``Customer``). Staff roles without such an entity keep the matrix alone.

    When entities refer to the users table (``User``, e.g. JHipster's built-in ``User``), the
    least-privilege role (the last one) without a principal of its own stands for its user
    (as does a role declaring ``principal: User``): it sees only the rows that lead to its own
    account.

    Args:
        roles: The roles, the administrator first.
        core: The core spec.

    Returns:
        One scope per role with a principal entity in ``core`` (or its user).
    """
    by_module = {e.module: e.name for e in core.entities}
    names = {e.name for e in core.entities}
    users_owned = ownership_paths(core, USERS_TARGET)
    if users_owned:
        names.add(USERS_TARGET)
    scopes: list[RowScopeSpec] = []
    for role in roles[1:]:
        principal = role.principal or by_module.get(role.name)
        if principal in names:
            owned = users_owned if principal == USERS_TARGET else ownership_paths(core, principal)
            scopes.append(RowScopeSpec(role=role.name, principal=principal, owned=owned))
    least = roles[-1] if len(roles) > 1 else None
    if least is not None and users_owned and all(s.role != least.name for s in scopes):
        scopes.append(RowScopeSpec(role=least.name, principal=USERS_TARGET, owned=users_owned))
    return scopes
