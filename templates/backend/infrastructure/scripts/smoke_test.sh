#!/usr/bin/env bash
# Smoke test of a running instance: health, readiness and metrics.
#   infrastructure/scripts/smoke_test.sh [BASE_URL]   (default http://127.0.0.1:8000)
set -euo pipefail

base_url="${1:-${BASE_URL:-http://127.0.0.1:8000}}"
base_url="${base_url%/}"
attempts="${SMOKE_ATTEMPTS:-30}"

check() {
    local path="$1" expected="$2" body
    body="$(curl --fail --silent --show-error --max-time 5 "${base_url}${path}")"
    if [[ "${body}" != *"${expected}"* ]]; then
        echo "FAIL ${path}: response does not contain '${expected}'" >&2
        return 1
    fi
    echo "ok   ${path}"
}

for ((i = 1; i <= attempts; i++)); do
    if curl --fail --silent --max-time 2 "${base_url}/health" >/dev/null; then
        break
    fi
    if ((i == attempts)); then
        echo "FAIL ${base_url}/health did not answer after ${attempts} attempts" >&2
        exit 1
    fi
    sleep 2
done

check /health ""
check /ready ""
check /metrics "http_requests_total"
echo "smoke test passed: ${base_url}"
