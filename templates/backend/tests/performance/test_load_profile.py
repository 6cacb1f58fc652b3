"""A scaled-down run of the load profile against the application in-process.

This is a smoke test, not a timing gate: it proves the profile runs and that no request
fails, and only catches latency that is far beyond the budget.
"""

from fastapi.testclient import TestClient

from tests.performance.load_profile import (
    DEFAULT_PATH,
    P95_BUDGET_MS,
    REQUESTS_PER_USER,
    USERS,
    LoadResult,
    run_profile,
)

SMOKE_USERS = min(USERS, 2)
SMOKE_REQUESTS = min(REQUESTS_PER_USER, 5)
TOLERANCE = 10
"""In-process timings on a shared CI machine are noisy: allow ten times the budget."""


def test_scaled_down_profile(client: TestClient, admin_headers: dict[str, str]) -> None:
    warm_up = client.get(DEFAULT_PATH, headers=admin_headers)
    assert warm_up.status_code == 200, warm_up.text
    result = run_profile(
        client,
        users=SMOKE_USERS,
        requests_per_user=SMOKE_REQUESTS,
        path=DEFAULT_PATH,
        headers=admin_headers,
    )
    assert len(result.latencies_ms) == SMOKE_USERS * SMOKE_REQUESTS
    assert result.failures == 0
    assert result.p95_ms < P95_BUDGET_MS * TOLERANCE


def test_p95_is_the_nearest_rank() -> None:
    latencies = [float(value) for value in range(1, 21)]
    assert LoadResult(latencies, 0).p95_ms == 19.0
    assert LoadResult([], 0).p95_ms == 0.0
