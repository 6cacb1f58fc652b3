"""Benchmark: the generated project's own `make test` for the defaults, and its test count.

Generates `backendgen new --defaults` once, then runs the project's `make test` N times with
`PYTHON` set to this environment's interpreter (it has the generated stack's requirements-dev
installed by `make install`), so the figure is the test run itself, not a pip install into a
fresh `.venv`. Reports the median, min and max wall time and the tests pytest ran (passed,
failed, skipped, from its closing line). Run with `make bench`.

With ``--baseline-rev REV`` it also generates the defaults with backendgen as it was at that
commit of this repository (``git archive`` of REV, run from a scratch folder) and runs both
projects' ``make test`` alternately, so machine load hits both alike, and reports the ratio of
the medians (issue 8's goal: the defaults' ``make test`` stays within 2x of the commit before
its security work, ``d2daebc``).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from timing import BIN, measured, stats, write_result  # bench/timing.py, beside this script

OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|errors?)")
REPOSITORY = Path(__file__).resolve().parent.parent
"""This checkout, whose history holds the baseline revision."""


def _generate_at(rev: str, root: Path, env: dict[str, str]) -> Path:
    """Generate the defaults with backendgen as of ``rev`` (its own code and template)."""
    source = root / f"backendgen-{rev}"
    source.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", rev], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    project = root / "baseline"
    old_env = env | {"PYTHONPATH": str(source), "XDG_CACHE_HOME": str(root / "baseline-cache")}
    run = "from backendgen.cli import main; main()"
    argv = [sys.executable, "-c", run, "new", str(project), "--defaults"]
    measured(argv, env=old_env, cwd=source)
    return project


def _make_test(project: Path, env: dict[str, str]) -> tuple[float, dict[str, int]]:
    """One ``make test`` of ``project``: wall seconds and pytest's closing counts."""
    seconds, _, output = measured(
        ["make", "-C", str(project), "test", f"PYTHON={sys.executable}"], env=env
    )
    closing = [line for line in output.splitlines() if " in " in line and "passed" in line]
    counts = {kind: int(n) for n, kind in OUTCOME.findall(closing[-1])} if closing else {}
    return seconds, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--baseline-rev", help="also time the defaults generated at this commit, interleaved"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        root = Path(tmp)
        env = os.environ | {"XDG_CACHE_HOME": str(root / "cache")}
        project = root / "service"
        measured([str(BIN / "backendgen"), "new", str(project), "--defaults"], env=env)
        baseline = _generate_at(options.baseline_rev, root, env) if options.baseline_rev else None
        # The project's tests import its own packages: nothing of backendgen's path.
        env = {k: v for k, v in env.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
        times: list[float] = []
        baseline_times: list[float] = []
        loads: list[float] = []
        counts: dict[str, int] = {}
        baseline_counts: dict[str, int] = {}
        for _ in range(options.runs):
            loads.append(round(os.getloadavg()[0], 2))
            seconds, counts = _make_test(project, env)
            times.append(seconds)
            if baseline is not None:
                seconds, baseline_counts = _make_test(baseline, env)
                baseline_times.append(seconds)
    result: dict[str, Any] = {
        "runs": options.runs,
        "make_test_s": stats(times),
        "tests": counts,
        "load_average_1min_at_each_run": loads,
    }
    if options.baseline_rev:
        result["baseline"] = {
            "rev": options.baseline_rev,
            "make_test_s": stats(baseline_times),
            "tests": baseline_counts,
            "ratio": round(statistics.median(times) / statistics.median(baseline_times), 2),
            "goal_ratio": 2.0,
        }
    write_result("generated_make_test", result)


if __name__ == "__main__":
    main()
