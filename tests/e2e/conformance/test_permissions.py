"""The whole permission matrix over HTTP: per role, entity and action, 2xx when the specs allow
it (on the role's own rows when it is limited to them), 403 when they do not, and 401 for
every entity route without a token.

Rows of other owners stay out of reach: ``tests/e2e/attack/test_ownership.py`` proves it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conformance.cases import (
    Cell,
    blueprint_specs,
    matrix,
    per_cell,
    per_entity,
    served,
)
from tests.e2e.conformance.conftest import App
from tests.e2e.conformance.rows import change_body, create_body, row_for

MISSING = 2147483000
"""An id no record has."""


@pytest.mark.parametrize("app", list(served()), indirect=True, scope="session")
def test_the_matrix_is_the_served_projects(app: App) -> None:
    collected = matrix(blueprint_specs(app.answers))
    actual = matrix(app.specs)
    assert actual == collected, {
        "cells only served": sorted({c.id for c in actual} - {c.id for c in collected}),
        "cells only collected": sorted({c.id for c in collected} - {c.id for c in actual}),
        "cells differing": sorted(
            {f"{c.id}:{c.allowed}" for c in actual} ^ {f"{c.id}:{c.allowed}" for c in collected}
        ),
    }


def _allowed(app: App, cell: Cell) -> list[tuple[str, int, int]]:
    """Act as the cell allows; return (request, expected, got) of each request sent."""
    api, _ = app.user(cell.role)
    route = app.specs.route(cell.entity)
    if cell.action == "create":
        created = api.call("POST", route, json=create_body(app, cell.role, cell.entity))
        return [("POST", 201, created.status_code)]
    row = row_for(app, cell.role, cell.entity)
    url = f"{route}/{row['id']}"
    if cell.action == "read":
        listed, read = api.call("GET", route), api.call("GET", url)
        same = read.status_code == 200 and read.json().get("id") == row["id"]
        return [
            ("GET list", 200, listed.status_code),
            ("GET", 200, read.status_code if same else -1),
        ]
    if cell.action == "update":
        changed = api.call("PATCH", url, json=change_body(app, cell.entity))
        return [("PATCH", 200, changed.status_code)]
    deleted = api.call("DELETE", url)
    gone = app.admin.call("GET", url)
    return [("DELETE", 204, deleted.status_code), ("GET after DELETE", 404, gone.status_code)]


def _denied(app: App, cell: Cell) -> list[tuple[str, int, int]]:
    """Try what the cell denies; return (request, expected, got) of each request sent."""
    api, _ = app.user(cell.role)
    route = app.specs.route(cell.entity)
    if cell.action == "create":
        before = app.admin.call("GET", route, params={"limit": 1}).json()["total"]
        created = api.call("POST", route, json=create_body(app, cell.role, cell.entity))
        after = app.admin.call("GET", route, params={"limit": 1}).json()["total"]
        return [("POST", 403, created.status_code), ("records added", 0, after - before)]
    row = app.admin.create(cell.entity)
    url = f"{route}/{row['id']}"
    if cell.action == "read":
        return [
            ("GET list", 403, api.call("GET", route).status_code),
            ("GET", 403, api.call("GET", url).status_code),
        ]
    if cell.action == "update":
        changed = api.call("PATCH", url, json=change_body(app, cell.entity))
        kept = app.admin.call("GET", url).json() == row
        return [("PATCH", 403, changed.status_code), ("record kept", 1, int(kept))]
    deleted = api.call("DELETE", url)
    kept = app.admin.call("GET", url).status_code
    return [("DELETE", 403, deleted.status_code), ("GET after DELETE", 200, kept)]


@pytest.mark.parametrize(("app", "cell"), list(per_cell()), indirect=["app"], scope="session")
def test_permission_cell(app: App, cell: Cell) -> None:
    outcomes = _allowed(app, cell) if cell.allowed else _denied(app, cell)
    wrong = [(what, want, got) for what, want, got in outcomes if want != got]
    verdict = "allowed" if cell.allowed else "denied"
    assert not wrong, f"{cell.id} ({verdict}): (request, expected, got) {wrong}"


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_every_entity_route_needs_a_token(app: App, entity: str) -> None:
    route = app.specs.route(entity)
    row = app.admin.create(entity)
    anonymous = app.anonymous
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", route, {}),
        ("POST", route, {"json": app.admin.body(entity)}),
        ("GET", f"{route}/{row['id']}", {}),
        ("PATCH", f"{route}/{row['id']}", {"json": change_body(app, entity)}),
        ("DELETE", f"{route}/{row['id']}", {}),
        ("GET", f"{route}/{MISSING}", {}),
    ]
    wrong = []
    for method, path, kwargs in calls:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            got = anonymous.call(method, path, headers=headers, **kwargs).status_code
            if got != 401:
                wrong.append((method, path, "bad token" if headers else "no token", got))
    assert not wrong, f"anonymous-{entity}: expected 401, got {wrong}"
    assert app.admin.call("GET", f"{route}/{row['id']}").json() == row
