"""Every entity's CRUD over HTTP, as the administrator: create from the testing spec's sample,
read, find in the list, update, delete, and 404 for an unknown id.

Bodies are compared property by property as the OpenAPI types them (``values.typed``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conformance.cases import per_entity
from tests.e2e.conformance.conftest import App
from tests.e2e.conformance.rows import change_body
from tests.e2e.conformance.values import typed

MISSING = 2147483000
"""An id no record has."""


def _public(app: App, entity: str) -> dict[str, Any]:
    """Properties of the entity's response schema (the 200 of its item route)."""
    route = app.specs.route(entity)
    operation = app.operation(f"{route}/{{id}}", "GET")
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    properties: dict[str, Any] = app.schema(content)["properties"]
    return properties


def _differences(app: App, entity: str, sent: dict[str, Any], got: dict[str, Any]) -> list[str]:
    properties = _public(app, entity)
    return [
        f"{name}: sent {value!r}, got {got.get(name)!r}"
        for name, value in sent.items()
        if typed(value, properties.get(name, {})) != typed(got.get(name), properties.get(name, {}))
    ]


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_crud(app: App, entity: str) -> None:
    admin, route = app.admin, app.specs.route(entity)
    body = admin.body(entity)
    created = admin.call("POST", route, json=body)
    assert created.status_code == 201, created.text
    record = created.json()
    assert isinstance(record.get("id"), int), record
    assert not _differences(app, entity, body, record), "create"
    assert set(_public(app, entity)) <= set(record), "the response lacks documented properties"

    url = f"{route}/{record['id']}"
    read = admin.call("GET", url)
    assert read.status_code == 200, read.text
    assert read.json() == record

    listed = admin.call("GET", route, params={"sort": "-id", "limit": 1})
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [record["id"]]

    change = change_body(app, entity)
    updated = admin.call("PATCH", url, json=change)
    assert updated.status_code == 200, updated.text
    assert not _differences(app, entity, change, updated.json()), "update"
    assert admin.call("GET", url).json() == updated.json()

    assert admin.call("DELETE", url).status_code == 204
    assert admin.call("GET", url).status_code == 404
    assert admin.call("DELETE", url).status_code == 404


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_unknown_ids_are_404(app: App, entity: str) -> None:
    admin, url = app.admin, f"{app.specs.route(entity)}/{MISSING}"
    got = {
        "GET": admin.call("GET", url).status_code,
        "PATCH": admin.call("PATCH", url, json=change_body(app, entity)).status_code,
        "DELETE": admin.call("DELETE", url).status_code,
    }
    assert got == {"GET": 404, "PATCH": 404, "DELETE": 404}
