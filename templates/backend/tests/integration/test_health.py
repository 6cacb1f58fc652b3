"""Probes and metrics."""

from fastapi.testclient import TestClient


def test_health_reports_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_checks_the_database(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_responses_carry_a_request_id(client: TestClient) -> None:
    assert client.get("/health").headers["X-Request-ID"]
    echoed = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["X-Request-ID"] == "abc-123"


def test_metrics_are_labelled_by_route_template(client: TestClient) -> None:
    client.get("/health")
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert 'http_requests_total{method="GET",route="/health",status="200"}' in body
    assert 'route="<unmatched>"' in body
    assert "/no/such/path" not in body
    assert "http_request_duration_seconds_bucket" in body
    assert "http_requests_in_progress" in body
