"""Benchmark: `backendgen new --defaults` against plain `copier copy` of the same template.

Both commands render the same template version with the same answers (backendgen's recorded
answers, slots included, are handed to copier as a data file). Reports the median of N runs
of each and their ratio; run with `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

import yaml
from timing import timed  # bench/timing.py, beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        root = Path(tmp)
        env = os.environ | {"XDG_CACHE_HOME": str(root / "cache")}
        warmup = root / "warmup"
        timed("backendgen", "new", str(warmup), "--defaults", env=env)
        answers = yaml.safe_load((warmup / ".copier-answers.yml").read_text())
        src, ref = answers.pop("_src_path"), answers.pop("_commit")
        data_file = root / "answers.yml"
        data_file.write_text(yaml.safe_dump(answers))
        backendgen_times, copier_times = [], []
        for run in range(options.runs):
            backendgen_times.append(
                timed("backendgen", "new", str(root / f"bg{run}"), "--defaults", env=env)
            )
            copier_times.append(
                timed(
                    "copier",
                    "copy",
                    "--quiet",
                    "--trust",
                    "--defaults",
                    "--vcs-ref",
                    ref,
                    "--data-file",
                    str(data_file),
                    src,
                    str(root / f"cp{run}"),
                    env=env,
                )
            )
        files = sum(1 for p in (root / "bg0").rglob("*") if p.is_file() and ".git" not in p.parts)
        result = {
            "runs": options.runs,
            "files_generated": files,
            "backendgen_new_median_s": round(statistics.median(backendgen_times), 3),
            "copier_copy_median_s": round(statistics.median(copier_times), 3),
        }
        result["ratio"] = round(
            result["backendgen_new_median_s"] / result["copier_copy_median_s"], 2
        )
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
