"""Row scopes of the ``security_compliance`` blueprint: which roles see only their own rows."""

from __future__ import annotations

from collections import deque

from backendgen.agents.core_backend import CoreBackendSpec
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
        OwnedEntitySpec(entity=name, via=paths[name]) for name in sorted(paths, key=order.index)
    ]


def row_scopes(roles: list[RoleHint], core: CoreBackendSpec) -> list[RowScopeSpec]:
    """Limit each non-administrator role that stands for an entity to the rows it owns.

    A role's principal is the one it declares, else the entity named like the role
    (``customer`` -> ``Customer``). Staff roles without such an entity keep the matrix alone.

    Args:
        roles: The roles, the administrator first.
        core: The core spec.

    Returns:
        One scope per role with a principal entity in ``core``.
    """
    by_module = {e.module: e.name for e in core.entities}
    names = {e.name for e in core.entities}
    scopes: list[RowScopeSpec] = []
    for role in roles[1:]:
        principal = role.principal or by_module.get(role.name)
        if principal in names:
            scopes.append(
                RowScopeSpec(
                    role=role.name, principal=principal, owned=ownership_paths(core, principal)
                )
            )
    return scopes
