"""Benchmark: blueprint-mode cost per entity, from synthetic domains of growing size.

Generates backends from YAML domains of 10, 30 and 60 entities (median of N runs each), fits
wall time against entity count by least squares, and reports the slope (seconds per entity
above the fixed cost), the intercept (the fixed cost) and the size of the answers file that
carries the slots. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import timed, write_result  # bench/timing.py, beside this script

from tests.helpers import synthetic_domain

SIZES = (10, 30, 60)


def _generate(domain: Path, destination: Path, env: dict[str, str]) -> float:
    return timed(
        "backendgen",
        "new",
        str(destination),
        "--defaults",
        "--domain",
        str(domain),
        "-d",
        "compliance=[]",
        env=env,
    )


def _slope_and_intercept(xs: list[float], ys: list[float]) -> tuple[float, float]:
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return slope, mean_y - slope * mean_x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        root = Path(tmp)
        env = os.environ | {"XDG_CACHE_HOME": str(root / "cache")}
        medians: dict[int, float] = {}
        answers_bytes: dict[int, int] = {}
        for size in SIZES:
            domain = root / f"domain{size}.yml"
            domain.write_text(yaml.safe_dump(synthetic_domain(size)))
            _generate(domain, root / f"warmup{size}", env)  # publishes the template mirror
            times = [_generate(domain, root / f"e{size}-{run}", env) for run in range(options.runs)]
            medians[size] = statistics.median(times)
            answers_bytes[size] = (root / f"e{size}-0" / ".copier-answers.yml").stat().st_size
        slope, intercept = _slope_and_intercept(
            [float(size) for size in SIZES], [medians[size] for size in SIZES]
        )
        write_result(
            "scale",
            {
                "runs": options.runs,
                "median_s_by_entities": {str(k): round(v, 3) for k, v in medians.items()},
                "seconds_per_entity": round(slope, 4),
                "fixed_cost_s": round(intercept, 3),
                "answers_file_bytes_by_entities": {str(k): v for k, v in answers_bytes.items()},
            },
        )


if __name__ == "__main__":
    main()
