"""Bodies that break the published contract are 422, in the documented error shape, with no
echo of internals, and create nothing.

The invalid bodies come from the entity's create schema in the OpenAPI (required properties,
types, lengths, patterns, enums, bounds) and from the testing spec's ``invalid`` values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.e2e.conformance.cases import per_entity
from tests.e2e.conformance.conftest import App

INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|sqlalchemy|sqlite|psycopg|pydantic|django|fastapi|starlette"
    r"|IntegrityError|errors\.pydantic\.dev",
    re.IGNORECASE,
)
"""What an error body never shows: stack traces, source files, libraries."""

NOT_A_MEMBER = "NOT_A_MEMBER_OF_THE_ENUM"
"""A value no enum of the catalogue has."""

_WRONG_TYPES: dict[str, Any] = {
    "string": {"an": "object"},
    "integer": "not-a-number",
    "number": "not-a-number",
    "boolean": "sometimes",
    "array": "not-a-list",
}
"""A value of the wrong JSON type, per JSON-schema type of a property."""


def _options(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null option of an ``anyOf`` property (the property itself otherwise)."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") != "null":
            return {**schema, **option}
    return schema


def _violating(pattern: str, limit: int | None) -> str | None:
    for candidate in ("x", "!", "0", " ", "ZZ", "x y", "é"):
        if not re.search(pattern, candidate) and (limit is None or len(candidate) <= limit):
            return candidate
    return None


def _breaking(app: App, name: str, given: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(what is wrong, value) pairs, each breaking one rule of the property ``name``."""
    prop = _options(given)
    if "$ref" in prop:
        if app.schema(prop).get("enum"):
            yield f"{name} not in the enum", NOT_A_MEMBER
        return
    kind, form = prop.get("type", "string"), prop.get("format", "")
    if kind in _WRONG_TYPES:
        yield f"{name} of the wrong type", _WRONG_TYPES[kind]
    if form in ("date", "date-time"):
        yield f"{name} not a {form}", "not-a-date"
    if "maxLength" in prop:
        yield f"{name} too long", "x" * (prop["maxLength"] + 1)
    if prop.get("minLength", 0) >= 1:
        yield f"{name} too short", ""
    bad = _violating(prop["pattern"], prop.get("maxLength")) if "pattern" in prop else None
    if bad is not None:
        yield f"{name} breaking its pattern", bad
    if kind in ("integer", "number"):
        if "minimum" in prop:
            yield f"{name} below its minimum", prop["minimum"] - 1
        if "maximum" in prop:
            yield f"{name} above its maximum", prop["maximum"] + 1


def _invalid_bodies(app: App, entity: str, body: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(what is wrong, body) pairs, each breaking one rule of the create schema."""
    operation = app.operation(app.specs.route(entity), "POST")
    ref = operation["requestBody"]["content"]["application/json"]["schema"]
    create = app.schema(ref)
    for name in create.get("required", []):
        yield f"missing {name}", {k: v for k, v in body.items() if k != name}
    for name, prop in create.get("properties", {}).items():
        for what, value in _breaking(app, name, prop):
            yield what, body | {name: value}
    testing = app.specs.answers.get("slot_testing_qa") or {}
    for invalid in testing.get("invalid", []):
        if invalid["entity"] == entity:
            what = f"{invalid['field']}: {invalid['reason']}"
            yield what, body | {invalid["field"]: invalid["value"]}


def _problems(app: App, entity: str, response: Any) -> list[str]:
    """How a 422 response departs from the documented one."""
    if response.status_code != 422:
        return [f"status {response.status_code}"]
    operation = app.operation(app.specs.route(entity), "POST")
    (media, declared), *_ = operation["responses"]["422"]["content"].items()
    problems = []
    if response.headers.get("content-type", "").split(";")[0] != media:
        problems.append(f"content-type {response.headers.get('content-type')}")
    try:
        jsonschema.validate(response.json(), {"components": app.openapi["components"], **declared})
    except (jsonschema.ValidationError, ValueError) as error:
        problems.append(f"body breaks its schema: {str(error).splitlines()[0]}")
    leaked = INTERNALS.search(response.text)
    if leaked:
        problems.append(f"echoes internals: {leaked.group()!r}")
    return problems


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_invalid_bodies_are_422(app: App, entity: str) -> None:
    admin, route = app.admin, app.specs.route(entity)
    body = admin.body(entity)
    before = admin.call("GET", route, params={"limit": 1}).json()["total"]
    cases = list(_invalid_bodies(app, entity, body))
    assert cases, f"{entity}: the create schema gives no invalid body"
    wrong = {}
    for what, invalid in cases:
        problems = _problems(app, entity, admin.call("POST", route, json=invalid))
        if problems:
            wrong[what] = problems
    assert not wrong, f"{entity}: {wrong}"
    assert admin.call("GET", route, params={"limit": 1}).json()["total"] == before
    assert admin.call("POST", route, json=body).status_code == 201, "the valid body is refused"


@pytest.mark.parametrize(("app", "entity"), list(per_entity()), indirect=["app"], scope="session")
def test_malformed_json_is_422(app: App, entity: str) -> None:
    response = app.admin.call(
        "POST",
        app.specs.route(entity),
        content=b'{"not": json',
        headers={"Content-Type": "application/json"},
    )
    assert not _problems(app, entity, response), response.text
