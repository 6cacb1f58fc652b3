#!/usr/bin/env bash
# Container entrypoint: apply the database migrations, then run the given command (the image's
# CMD, uvicorn by default).
#   RUN_MIGRATIONS=0  skip `alembic upgrade head` (e.g. when an init container ran it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ "${RUN_MIGRATIONS:-1}" == "1" ]]; then
    bash infrastructure/scripts/migrate.sh
fi

if [[ $# -eq 0 ]]; then
    set -- uvicorn core.main:app --host 0.0.0.0 --port "${PORT:-8000}" --workers "${WEB_CONCURRENCY:-2}"
fi
exec "$@"
