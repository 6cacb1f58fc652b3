"""Collections page, filter and sort as their OpenAPI operation declares.

Paging: ``limit`` (its default, minimum and maximum) and ``offset``; a value out of the
declared bounds is refused (422), pages are disjoint slices of one order, and the page body
echoes ``limit``, ``offset`` and the ``total``. Every declared filter keeps only equal records;
every declared sort key orders the page (records without a value left out of the comparison).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conformance.cases import per_entity
from tests.e2e.conformance.conftest import App
from tests.e2e.conformance.values import query_value, typed

PAGING = ("limit", "offset", "sort")
"""Query parameters that are not filters."""


def _parameters(app: App, entity: str) -> dict[str, dict[str, Any]]:
    """The list operation's query parameters, by name, with their schemas."""
    operation = app.operation(app.specs.route(entity), "GET")
    return {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}


def _properties(app: App, entity: str) -> dict[str, Any]:
    operation = app.operation(f"{app.specs.route(entity)}/{{id}}", "GET")
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]
    properties: dict[str, Any] = app.schema(ref)["properties"]
    return properties


def _page(app: App, entity: str, **params: Any) -> dict[str, Any]:
    response = app.admin.call("GET", app.specs.route(entity), params=params)
    assert response.status_code == 200, f"{params}: {response.status_code} {response.text}"
    page: dict[str, Any] = response.json()
    return page


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_paging_follows_the_declared_bounds(app: App, entity: str) -> None:
    params = _parameters(app, entity)
    limit, offset = params["limit"], params["offset"]
    route = app.specs.route(entity)
    refused = {
        "limit below its minimum": {"limit": limit["minimum"] - 1},
        "limit above its maximum": {"limit": limit["maximum"] + 1},
        "limit not a number": {"limit": "ten"},
        "offset below its minimum": {"offset": offset["minimum"] - 1},
    }
    got = {what: app.admin.call("GET", route, params=p).status_code for what, p in refused.items()}
    assert got == dict.fromkeys(refused, 422)

    records = [app.admin.create(entity)["id"] for _ in range(3)]
    default = _page(app, entity)
    assert (default["limit"], default["offset"]) == (limit["default"], offset["default"])
    assert len(default["items"]) == min(limit["default"], default["total"])
    largest = _page(app, entity, limit=limit["maximum"], sort="id")
    assert largest["limit"] == limit["maximum"]
    assert len(largest["items"]) == min(limit["maximum"], largest["total"])

    total = largest["total"]
    first, second = (
        _page(app, entity, limit=2, sort="-id"),
        _page(app, entity, limit=2, offset=2, sort="-id"),
    )
    four = _page(app, entity, limit=4, sort="-id")
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in four["items"]]
    assert [i["id"] for i in first["items"]] == records[:-3:-1]
    assert (second["limit"], second["offset"], second["total"]) == (2, 2, total)
    beyond = _page(app, entity, offset=total)
    assert (beyond["items"], beyond["total"]) == ([], total)


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_the_default_page_size_holds(app: App, entity: str) -> None:
    default = _parameters(app, entity)["limit"]["default"]
    while (page := _page(app, entity))["total"] <= default:
        app.admin.create(entity)
    assert len(page["items"]) == default


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_each_declared_filter_keeps_equal_records(app: App, entity: str) -> None:
    params, properties = _parameters(app, entity), _properties(app, entity)
    fields = {f["name"]: f for f in app.specs.entity(entity)["fields"]}
    largest = params["limit"]["maximum"]
    app.admin.create(entity)  # a record with the same values of its non-unique fields
    record = app.admin.create(entity)
    filters = [name for name in params if name not in PAGING]
    assert filters, f"{entity} declares no filter"
    wrong = {}
    for name in filters:
        value = record.get(name)
        if value is None:
            continue
        page = _page(app, entity, **{name: query_value(value)}, sort="-id", limit=largest)
        want = typed(value, properties[name])
        others = [i[name] for i in page["items"] if typed(i[name], properties[name]) != want]
        ids = [i["id"] for i in page["items"]]
        if others or not ids or ids[0] != record["id"]:
            wrong[name] = {"others": others[:3], "first": ids[:1]}
        elif fields.get(name, {}).get("unique") and page["total"] != 1:
            wrong[name] = {"total": page["total"]}
    assert not wrong, f"{entity}: {wrong}"


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_each_declared_sort_key_orders_the_page(app: App, entity: str) -> None:
    params, properties = _parameters(app, entity), _properties(app, entity)
    (choices,) = [o["enum"] for o in params["sort"].get("anyOf", [params["sort"]]) if "enum" in o]
    app.admin.create(entity)
    app.admin.create(entity)
    wrong = {}
    for key in choices:
        name = key.removeprefix("-")
        page = _page(app, entity, sort=key, limit=params["limit"]["maximum"])
        values = [typed(i[name], properties[name]) for i in page["items"] if i[name] is not None]
        if values != sorted(values, reverse=key.startswith("-")):
            wrong[key] = values[:6]
    assert not wrong, f"{entity}: {wrong}"
    unknown = app.admin.call("GET", app.specs.route(entity), params={"sort": "no_such_field"})
    assert unknown.status_code == 422
