"""The service answers, publishes its metrics, and its migrations match its models."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client


def test_health_answers(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_answers_once_the_database_does(client: Client) -> None:
    assert client.get("/ready").json() == {"status": "ok"}


def test_metrics_count_requests_by_route_template(client: Client) -> None:
    client.get("/health")
    body = client.get("/metrics").content.decode()
    assert 'http_requests_total{method="GET",route="/health",status="200"}' in body


@pytest.mark.django_db
def test_the_committed_migrations_match_the_models() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_the_openapi_document_is_served(client: Client) -> None:
    document = client.get("/openapi.json").json()
    assert "/health" in document["paths"]
    assert "/auth/token" in document["paths"]
