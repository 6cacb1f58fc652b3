#!/usr/bin/env bash
# Apply the Alembic migrations to DATABASE_URL (default: upgrade to head).
#   infrastructure/scripts/migrate.sh            # alembic upgrade head
#   infrastructure/scripts/migrate.sh -1         # alembic downgrade -1
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ -z "${DATABASE_URL:-}" ]]; then
    echo "migrate.sh: DATABASE_URL is not set; using the application's default" >&2
fi

target="${1:-head}"
if [[ "${target}" == -* ]]; then
    exec alembic downgrade "${target}"
fi
exec alembic upgrade "${target}"
