"""Errors every service answers the same way, whatever its entities: RFC 9457 problems, no internals.

These run against the application in-process, with routes added for the test only (left out
of the OpenAPI document) where an error cannot be provoked through the public API.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from core.db import get_session
from core.main import app
from core.schemas.common import JsonDate, JsonDateTime, Money, Omittable, RecordId, RequestModel
from security.encryption.fields import FieldDecryptionError

PROBLEM = "application/problem+json"


def _boom() -> None:
    raise RuntimeError("secret internals: /etc/passwd")


def _undecryptable() -> None:
    raise FieldDecryptionError("key k1 failed for patients.name.7")


@pytest.fixture
def failing_routes() -> Iterator[FastAPI]:
    """Add two routes that fail inside, then remove them again."""
    before = list(app.router.routes)
    app.add_api_route("/__test__/boom", _boom, include_in_schema=False)
    app.add_api_route("/__test__/undecryptable", _undecryptable, include_in_schema=False)
    yield app
    app.router.routes[:] = before


def test_an_unknown_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert (response.json()["status"], response.json()["instance"]) == (404, "/no/such/path")


def test_a_wrong_method_is_a_405_naming_the_allowed_ones(client: TestClient) -> None:
    response = client.post("/health")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert "GET" in response.headers["allow"].split(", ")


def test_an_unexpected_error_is_a_500_without_internals(
    failing_routes: FastAPI, client: TestClient
) -> None:
    del failing_routes
    with TestClient(app, raise_server_exceptions=False) as fresh:
        response = fresh.get("/__test__/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "passwd" not in response.text
    assert response.json()["detail"] == "Internal server error"
    assert client.get("/health").status_code == 200


def test_an_undecryptable_value_is_a_500_without_its_key_or_place(
    failing_routes: FastAPI,
) -> None:
    del failing_routes
    with TestClient(app, raise_server_exceptions=False) as fresh:
        response = fresh.get("/__test__/undecryptable")
    assert response.status_code == 500
    assert "patients" not in response.text
    assert "k1" not in response.text


class _FailingSession:
    def execute(self, *_: object) -> None:
        raise SQLAlchemyError("database is gone")


def test_readiness_answers_503_when_the_database_does_not(client: TestClient) -> None:
    app.dependency_overrides[get_session] = _FailingSession
    try:
        response = client.get("/ready")
    finally:
        app.dependency_overrides.pop(get_session)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert client.get("/ready").status_code == 200


class _Sample(RequestModel):
    day: JsonDate | None = None
    moment: JsonDateTime | None = None
    amount: Money | None = None
    ref: RecordId | None = None
    note: Omittable[str] = "kept"


@pytest.mark.parametrize(
    "body",
    [
        {"day": 20260101},
        {"day": "01/01/2026"},
        {"moment": "2026-01-01 10:00"},
        {"moment": 1.5},
        {"amount": "12.50"},
        {"amount": True},
        {"ref": 0},
        {"ref": 1.5},
        {"ref": False},
        {"note": None},
    ],
)
def test_values_outside_the_published_formats_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _Sample.model_validate(body)


def test_values_in_the_published_formats_are_read() -> None:
    sample = _Sample.model_validate(
        {"day": "2026-01-02", "moment": "2026-01-02T03:04:05+02:00", "amount": 12.5, "ref": 3.0}
    )
    assert sample.day == dt.date(2026, 1, 2)
    assert sample.moment == dt.datetime(2026, 1, 2, 1, 4, 5, tzinfo=dt.UTC)
    assert sample.amount == Decimal("12.5")
    assert sample.ref == 3
    assert sample.note == "kept"
    naive = dt.datetime(2026, 1, 2, tzinfo=dt.UTC).replace(tzinfo=None)  # as SQLite returns it
    assert _Sample.model_validate({"moment": naive}).moment == dt.datetime(
        2026, 1, 2, tzinfo=dt.UTC
    )


def test_decimals_are_published_and_written_as_numbers() -> None:
    class _Out(BaseModel):
        amount: Money

    schema = _Out.model_json_schema()["properties"]["amount"]
    assert schema["type"] == "number"
    assert schema["multipleOf"] == 0.01
    assert _Out(amount=Decimal("1.25")).model_dump(mode="json") == {"amount": 1.25}
