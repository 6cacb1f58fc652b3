"""Benchmark: `backendgen new --defaults` against plain `copier copy` of the same template.

Both commands render the same template version with the same answers (backendgen's recorded
answers, slots included, are handed to copier as a data file). The runs alternate, so machine
load hits both alike. Reports the median, min and max wall time and peak RSS of N runs of each
and the ratio of the medians; run with `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

import yaml
from timing import BIN, measured, stats, timed, write_result  # bench/timing.py


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
        backendgen_times, copier_times, backendgen_rss, copier_rss = [], [], [], []
        for run in range(options.runs):
            seconds, rss, _ = measured(
                [str(BIN / "backendgen"), "new", str(root / f"bg{run}"), "--defaults"], env=env
            )
            backendgen_times.append(seconds)
            backendgen_rss.append(rss)
            seconds, rss, _ = measured(
                [
                    str(BIN / "copier"),
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
                ],
                env=env,
            )
            copier_times.append(seconds)
            copier_rss.append(rss)
        files = sum(1 for p in (root / "bg0").rglob("*") if p.is_file() and ".git" not in p.parts)
        result = {
            "runs": options.runs,
            "files_generated": files,
            "backendgen_new_s": stats(backendgen_times),
            "copier_copy_s": stats(copier_times),
            "backendgen_new_peak_rss_mib": stats(backendgen_rss, 1),
            "copier_copy_peak_rss_mib": stats(copier_rss, 1),
            "ratio": round(
                statistics.median(backendgen_times) / statistics.median(copier_times), 2
            ),
            "goal_ratio": 1.5,
        }
        write_result("new_vs_copier", result)


if __name__ == "__main__":
    main()
