"""Erasure followed by reads: an erased data subject's records still read, validate, leak nothing.

For every entity holding personal data that other records reference (a patient, a customer),
the suite creates a subject with values no other record has, the records referencing it
(and the ones referencing those) as the spec's erasure cascades anonymise them, erases the
subject through ``POST /compliance/{entity}/{id}/erase``, then reads each record and every
list page of their entities. Every answer must be 200 and valid against the schema the
served OpenAPI document publishes for it, and no original personal value may appear anywhere.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.e2e.attack.api import Api
from tests.e2e.attack.conftest import Target
from tests.e2e.attack.specs import Specs, _vary

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

PAGE = 100
"""Records per list page read."""


def _personal(specs: Specs, entity: str) -> list[dict[str, Any]]:
    """The personal (PII/PHI) fields of ``entity`` that identify someone (not enums or flags)."""
    return [
        f
        for f in specs.entity(entity)["fields"]
        if (f.get("pii") or f.get("phi")) and f["type"] not in ("enum", "boolean")
    ]


def _cascades(specs: Specs) -> dict[tuple[str, str], str]:
    return {
        (c["entity"], c["relationship"]): c["action"]
        for c in specs.security.get("erasure_cascades", [])
    }


def _anonymised_children(specs: Specs, target: str) -> list[tuple[str, str]]:
    """(entity, column) of the relationships whose rows an erasure of ``target`` anonymises."""
    actions = _cascades(specs)
    return [
        (e["name"], r["column"])
        for e in specs.core["entities"]
        for r in e["relationships"]
        if r["target"] == target
        and e["name"] != target
        and actions.get((e["name"], r["name"]), "anonymize") == "anonymize"
    ]


def _subjects(specs: Specs) -> list[str]:
    """Entities with personal data whose erasure cascades to other records."""
    return [
        e["name"]
        for e in specs.core["entities"]
        if _personal(specs, e["name"]) and _anonymised_children(specs, e["name"])
    ]


def _distinct(specs: Specs, entity: str) -> dict[str, Any]:
    """Values of the personal fields that no other record of the run holds."""
    token = secrets.token_hex(4)
    values: dict[str, Any] = {}
    sample = specs.sample(entity)
    for field in _personal(specs, entity):
        name, limit = field["name"], field.get("max_length")
        if field["type"] == "email":
            values[name] = f"subject.{token}@example.com"
        elif field["type"] in ("string", "text") and not field.get("pattern"):
            text = f"Subject {token}".ljust(field.get("min_length") or 0, "x")
            if limit is None or len(text) <= limit:
                values[name] = text
        elif field["type"] in ("string", "text") and isinstance(sample.get(name), str):
            try:
                values[name] = _vary(sample[name], field, int(token, 16) % 9_000_000 + 1)
            except LookupError:
                continue
    return values


def _create(admin: Api, entity: str, **references: int) -> dict[str, Any]:
    return admin.create(entity, **_distinct(admin.specs, entity), **references)


def _validator(openapi: dict[str, Any], path: str) -> Draft202012Validator:
    """The validator of a GET's 200 body, ``$ref``s resolved against the document."""
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    root = {**schema["schema"], "components": openapi.get("components", {})}
    return Draft202012Validator(root, format_checker=FormatChecker())


def _read_all(admin: Api, openapi: dict[str, Any], entity: str, ids: list[int]) -> list[Any]:
    """Each record, and every list page of ``entity``: all 200 and valid. Returns the bodies."""
    route = admin.specs.route(entity)
    item_schema = _validator(openapi, f"{route}/{{id}}")
    page_schema = _validator(openapi, route)
    bodies: list[Any] = []
    for key in ids:
        response = admin.call("GET", f"{route}/{key}")
        assert response.status_code == 200, (entity, key, response.status_code, response.text)
        errors = [e.message for e in item_schema.iter_errors(response.json())]
        assert not errors, (entity, key, errors)
        bodies.append(response.json())
    listed: set[int] = set()
    offset = 0
    while True:
        response = admin.call("GET", route, params={"limit": PAGE, "offset": offset})
        assert response.status_code == 200, (entity, offset, response.status_code, response.text)
        page = response.json()
        errors = [e.message for e in page_schema.iter_errors(page)]
        assert not errors, (entity, offset, errors)
        bodies.append(page)
        listed |= {item["id"] for item in page["items"]}
        offset += PAGE
        if offset >= page["total"]:
            break
    assert set(ids) <= listed, (entity, "erased records are still listed")
    return bodies


def _scalars(data: Any) -> set[str]:
    if isinstance(data, dict):
        return {s for v in data.values() for s in _scalars(v)}
    if isinstance(data, list):
        return {s for v in data for s in _scalars(v)}
    return set() if data is None else {str(data)}


def test_the_spec_names_subjects_whose_erasure_cascades(personal_owned_target: Target) -> None:
    assert _subjects(personal_owned_target.specs), "no personal entity is referenced by another one"


def test_an_erased_subject_and_its_records_read_validate_and_leak_nothing(
    personal_owned_target: Target,
) -> None:
    admin = personal_owned_target.admin()
    specs = personal_owned_target.specs
    openapi = personal_owned_target.anonymous.call("GET", "/openapi.json").json()
    for subject in _subjects(specs):
        record = _create(admin, subject)
        erased_rows: dict[str, list[dict[str, Any]]] = {subject: [record]}
        for child, column in _anonymised_children(specs, subject):
            row = _create(admin, child, **{column: record["id"]})
            erased_rows.setdefault(child, []).append(row)
            for grandchild, grand_column in _anonymised_children(specs, child):
                deeper = _create(admin, grandchild, **{grand_column: row["id"]})
                erased_rows.setdefault(grandchild, []).append(deeper)
        original = {
            str(row[f["name"]])
            for entity, rows in erased_rows.items()
            for row in rows
            for f in _personal(specs, entity)
            if row.get(f["name"]) not in (None, "")
        }
        response = admin.call("POST", f"/compliance/{subject}/{record['id']}/erase")
        assert response.status_code == 200, (subject, response.status_code, response.text)
        cascaded = {(c["entity"], c["id"]) for c in response.json().get("cascaded", [])}
        for entity, rows in erased_rows.items():
            if entity != subject:
                assert {(entity, row["id"]) for row in rows} <= cascaded, (subject, entity)
        seen: set[str] = set()
        for entity, rows in erased_rows.items():
            seen |= _scalars(_read_all(admin, openapi, entity, [row["id"] for row in rows]))
        leaked = original & seen
        assert not leaked, (subject, sorted(leaked))
