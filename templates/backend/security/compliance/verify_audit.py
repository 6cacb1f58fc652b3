"""Verify the audit log: ``python -m security.compliance.verify_audit`` (``make verify-audit``).

Checks every link of the hash chain, then replays the digests of each audited record against
each other and against the stored rows. Prints ``audit log intact`` with the number of entries
and the head hash (keep it outside the database), or the problems found with the first broken
link first, and exits 1 then.
"""

from __future__ import annotations

import sys

from core.db import get_engine
from security.compliance.audit import audited_tables
from security.compliance.chain import Verification, verify


def run() -> Verification:
    """Verify the log of the configured database."""
    with get_engine().connect() as connection:
        return verify(connection, audited_tables())


def main() -> int:
    """Print the verification and return the exit status: 0 intact, 1 broken."""
    result = run()
    if result.intact:
        print(f"audit log intact: {result.entries} entries, head {result.head}")  # noqa: T201
        return 0
    print(f"audit log broken: {len(result.problems)} problem(s)", file=sys.stderr)  # noqa: T201
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)  # noqa: T201
    return 1


if __name__ == "__main__":
    sys.exit(main())
