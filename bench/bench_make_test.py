"""Benchmark: the generated project's own `make test` for the defaults, and its test count.

Generates `backendgen new --defaults` once, then runs the project's `make test` N times with
`PYTHON` set to this environment's interpreter (it has the generated stack's requirements-dev
installed by `make install`), so the figure is the test run itself, not a pip install into a
fresh `.venv`. Reports the median, min and max wall time and the tests pytest ran (passed,
failed, skipped, from its closing line). Run with `make bench`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from timing import BIN, measured, stats, write_result  # bench/timing.py, beside this script

OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|errors?)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        root = Path(tmp)
        env = os.environ | {"XDG_CACHE_HOME": str(root / "cache")}
        project = root / "service"
        measured([str(BIN / "backendgen"), "new", str(project), "--defaults"], env=env)
        # The project's tests import its own packages: nothing of backendgen's path.
        env = {k: v for k, v in env.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
        times: list[float] = []
        counts: dict[str, int] = {}
        for _ in range(options.runs):
            seconds, _, output = measured(
                ["make", "-C", str(project), "test", f"PYTHON={sys.executable}"], env=env
            )
            times.append(seconds)
            closing = [line for line in output.splitlines() if " in " in line and "passed" in line]
            counts = {kind: int(n) for n, kind in OUTCOME.findall(closing[-1])} if closing else {}
    write_result(
        "generated_make_test",
        {"runs": options.runs, "make_test_s": stats(times), "tests": counts},
    )


if __name__ == "__main__":
    main()
