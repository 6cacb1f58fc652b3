"""Personal data at rest: records made through the API leave no personal value in plaintext.

For e-commerce, healthcare and fintech, one record of every entity with fields the core spec
flags personal (PII, PHI), or the security spec flags cardholder data (PCI), is created with
known values. Then every table of the SQLite file is read raw (each cell as bytes, below the
application) and none of those values may be found. The fields must still work: a unique one
refuses a duplicate (409), one the OpenAPI offers as a filter finds its record, and none is
offered as a sort order (a ciphertext has no order).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.attack.conftest import Target
from tests.e2e.attack.specs import Specs, tokenized_fields

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("attack")]

SHORTEST_SUBSTRING = 6
"""Values at least this long must not occur anywhere in a cell; shorter ones (an enum value,
a code) must not be a whole cell, since as substrings they would match unrelated text."""


def personal_fields(specs: Specs) -> dict[str, list[dict[str, Any]]]:
    """Entity -> its fields flagged PII or PHI in the core spec, or PCI in the security spec."""
    pci = {
        (item["entity"], item["field"])
        for item in specs.security.get("encrypted_fields", [])
        if item.get("pci")
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for entity in specs.core["entities"]:
        flagged = [
            field
            for field in entity["fields"]
            if field.get("pii") or field.get("phi") or (entity["name"], field["name"]) in pci
        ]
        if flagged:
            found[entity["name"]] = flagged
    return found


def _known_value(field: dict[str, Any], sample: object) -> object:
    """A value of the field no other record holds: random text where the field allows it."""
    kind, pattern = field["type"], field.get("pattern")
    if kind == "email":
        return f"p{secrets.token_hex(8)}@example.com"
    if kind in ("string", "text") and not pattern:
        text = f"Zq{secrets.token_hex(12)}"[: field.get("max_length") or 200]
        return text.ljust(field.get("min_length") or 0, "x")
    return sample


def _text_forms(value: object) -> list[bytes]:
    """How a plaintext store would spell the value (booleans have no telling spelling)."""
    if value is None or isinstance(value, bool):
        return []
    return [str(value).encode()]


def table_cells(database: Path) -> Iterator[tuple[str, bytes]]:
    """``(table.column, raw bytes)`` of every non-null cell of every table."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        listed = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        tables = [row[0] for row in listed]
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            select = ", ".join(f'CAST("{column}" AS BLOB)' for column in columns)
            for row in connection.execute(f'SELECT {select} FROM "{table}"'):  # noqa: S608
                for column, cell in zip(columns, row, strict=True):
                    if cell is not None:
                        yield f"{table}.{column}", bytes(cell)


@pytest.fixture(scope="session")
def personal_records(personal_target: Target) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Entity -> (body sent, record returned) of one record made with known personal values."""
    admin = personal_target.admin()
    records = {}
    for entity, fields in personal_fields(personal_target.specs).items():
        body = admin.body(entity)
        for field in fields:
            if field["name"] in body or field["type"] == "email" or not field.get("pattern"):
                body[field["name"]] = _known_value(field, body.get(field["name"]))
        response = admin.call("POST", personal_target.specs.route(entity), json=body)
        assert response.status_code == 201, f"{entity}: {response.status_code} {response.text}"
        records[entity] = (body, response.json())
    return records


def test_the_domains_hold_personal_data(personal_target: Target) -> None:
    assert personal_fields(personal_target.specs)


def test_no_personal_value_is_stored_in_plaintext(
    personal_target: Target, personal_records: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    wanted: list[tuple[str, bytes]] = []
    for entity, fields in personal_fields(personal_target.specs).items():
        body, _ = personal_records[entity]
        for field in fields:
            forms = _text_forms(body.get(field["name"]))
            wanted += [(f"{entity}.{field['name']}", form) for form in forms]
    assert wanted
    leaks = set()
    for place, cell in table_cells(personal_target.database):
        for name, form in wanted:
            if cell == form or (len(form) >= SHORTEST_SUBSTRING and form in cell):
                leaks.add(f"{name} in {place}")
    assert not leaks, sorted(leaks)


def _names(schema: Any, components: dict[str, Any]) -> set[str]:
    """Every enum value inside a JSON schema, following ``$ref`` into the components."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return _names(components.get(ref.rsplit("/", 1)[-1]), components)
        found = {str(v) for v in schema.get("enum", [])}
        for value in schema.values():
            found |= _names(value, components)
        return found
    if isinstance(schema, list):
        return set().union(*(_names(item, components) for item in schema))
    return set()


def test_personal_fields_filter_by_equality_stay_unique_and_never_sort(
    personal_target: Target, personal_records: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    admin = personal_target.admin()
    specs = personal_target.specs
    openapi = admin.call("GET", "/openapi.json").json()
    components = openapi.get("components", {}).get("schemas", {})
    checked = 0
    for entity, fields in personal_fields(specs).items():
        body, record = personal_records[entity]
        route = specs.route(entity)
        parameters = {p["name"]: p for p in openapi["paths"][route]["get"]["parameters"]}
        orders = _names(parameters.get("sort", {}).get("schema"), components)
        tokenized = tokenized_fields(specs, entity)
        for field in fields:
            name, value = field["name"], body.get(field["name"])
            assert name not in orders, f"{entity}.{name} sorts"
            assert f"-{name}" not in orders, f"{entity}.{name} sorts"
            if value is None:
                continue
            if name in parameters:
                # A tokenised field (PCI DSS) is found by its token, never by the card number.
                wanted = record[name] if name in tokenized else value
                found = admin.call("GET", route, params={name: wanted, "limit": 100})
                assert found.status_code == 200, found.text
                items = found.json()["items"]
                assert record["id"] in [item["id"] for item in items], name
                assert {item[name] for item in items} == {record[name]}, name
                checked += 1
            fresh_tokens = name in tokenized and not specs.security["pci_tokenization"].get(
                "deterministic"
            )
            if field.get("unique") and not fresh_tokens:
                again = admin.body(entity) | {name: value}
                duplicate = admin.call("POST", route, json=again)
                assert duplicate.status_code == 409, f"{entity}.{name}: {duplicate.text}"
                checked += 1
    assert checked, "no personal field is unique or offered as a filter"
