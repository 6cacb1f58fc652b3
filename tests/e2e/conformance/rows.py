"""Records the suite acts on: made by the administrator, owned by a scoped user when needed."""

from __future__ import annotations

from typing import Any

from tests.e2e.attack.specs import body_of
from tests.e2e.conformance.cases import owned_path
from tests.e2e.conformance.conftest import App


def row_for(app: App, role: str, entity: str) -> dict[str, Any]:
    """A record of ``entity`` that ``role`` may act on: its own one when limited to its rows."""
    path = owned_path(app.specs, role, entity)
    if path is None:
        return app.admin.create(entity)
    _, principal_id = app.user(role)
    assert principal_id is not None, f"{role} stands for no record"
    if not path:
        return dict(app.admin.call("GET", f"{app.specs.route(entity)}/{principal_id}").json())
    return app.admin.create_owned(entity, path, principal_id)


def create_body(app: App, role: str, entity: str) -> dict[str, Any]:
    """A valid create body of ``entity`` that keeps the record ``role``'s own when scoped."""
    path = owned_path(app.specs, role, entity)
    if not path:
        return app.admin.body(entity)
    _, principal_id = app.user(role)
    assert principal_id is not None, f"{role} stands for no record"
    first = next(r for r in app.specs.entity(entity)["relationships"] if r["name"] == path[0])
    parent = (
        app.admin.create_owned(first["target"], path[1:], principal_id)["id"]
        if path[1:]
        else principal_id
    )
    return app.admin.body(entity, **{first["column"]: parent})


def change_body(app: App, entity: str) -> dict[str, Any]:
    """A valid partial update of ``entity``: fresh values of its own fields, no references."""
    columns = {r["column"] for r in app.specs.entity(entity)["relationships"]}
    return {k: v for k, v in body_of(app.specs, entity).items() if k not in columns}
