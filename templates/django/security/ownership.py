"""Row-level access: roles that may touch only the rows they own.

A user of a scoped role stands for one record of the role's principal entity (its
``principal_id``, which only an administrator sets; the user itself when the principal is
``User``). On an owned entity it lists only owned rows, gets 404 for any other row (as for a
missing one), and 403 when a create or an update would make a row belong to someone else.
Scoped users never create records of the principal entity itself.
"""

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.db.models import Q

from security.models import User
from security.permissions import ROW_SCOPES


def _principal(user: User, scope: Mapping[str, Any]) -> int | None:
    return user.pk if scope["principal"] == "User" else user.principal_id


def _lookup(hops: list[tuple[str, str]], principal: int | None) -> Q:
    if principal is None:
        return Q(pk__in=[])
    if not hops:
        return Q(pk=principal)
    return Q(**{"__".join(step for step, _ in hops) + "_id": principal})


def owned_rows(user: User, entity: str) -> Q | None:
    """Return the condition on ``entity``'s rows ``user`` may reach (None: every row)."""
    scope = ROW_SCOPES.get(user.role)
    if scope is None or entity not in scope["owned"]:
        return None
    return _lookup(scope["owned"][entity], _principal(user, scope))


def _model(name: str) -> Any:
    return apps.get_model("security" if name == "User" else "core", name)


def may_write(user: User, entity: str, values: Mapping[str, Any], *, creating: bool) -> bool:
    """Return whether writing ``values`` keeps the row ``user``'s (always when unscoped)."""
    scope = ROW_SCOPES.get(user.role)
    if scope is None or entity not in scope["owned"]:
        return True
    hops: list[tuple[str, str]] = scope["owned"][entity]
    if not hops:
        return not creating
    (step, target), rest = hops[0], hops[1:]
    column = f"{step}_id"
    if column not in values:
        return not creating
    target_id = values[column]
    if target_id is None:
        return False
    condition = _lookup(rest, _principal(user, scope))
    return bool(_model(target).objects.filter(condition, pk=target_id).exists())
