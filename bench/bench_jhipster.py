"""Benchmark: `backendgen new --domain FILE --defaults` against JHipster 8 on the same JDL files.

For each corpus file (e-commerce-monolith, blog, northwind) and each run, JHipster's
`jhipster jdl FILE --skip-client --skip-install --skip-git --force` and backendgen's
`new --domain FILE --defaults` each generate into a fresh directory, one after the other, so
machine load hits both alike. Reports per file the median, min and max wall time and peak RSS
(the largest process of each tree, from wait4), the files and the test functions generated
(`@Test`/`@ParameterizedTest` methods in src/test for JHipster, `def test_` functions for
backendgen) and the ratios. JHipster is installed by `make bench` with npm into a cache folder.
Run with `make bench`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
from pathlib import Path

from timing import BIN, measured, stats, write_result

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "jdl"
FILES = ("e-commerce-monolith.jdl", "blog.jh", "northwind-jdl.jh")
JAVA_TEST = re.compile(r"^\s*@(Test|ParameterizedTest)\b", re.MULTILINE)
PYTHON_TEST = re.compile(r"^\s*(async\s+)?def test_", re.MULTILINE)


def _files(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)


def _tests(root: Path, glob: str, pattern: re.Pattern[str]) -> int:
    return sum(
        len(pattern.findall(path.read_text("utf-8", errors="replace")))
        for path in root.rglob(glob)
        if ".git" not in path.parts
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jhipster", type=Path, required=True, help="the jhipster executable")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    options = parser.parse_args()
    results: dict[str, object] = {"runs": options.runs, "files": {}}
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        root = Path(tmp)
        env = os.environ | {
            "XDG_CACHE_HOME": str(root / "cache"),
            "NO_UPDATE_NOTIFIER": "1",  # JHipster's update check would reach the registry
        }
        jhipster_version = measured([str(options.jhipster), "--version"], env=env)[2]
        results["jhipster_version"] = jhipster_version.strip().splitlines()[-1]
        for name in FILES:
            jdl = options.corpus / name
            backendgen_argv = [str(BIN / "backendgen"), "new"]
            measured(
                [
                    *backendgen_argv,
                    str(root / f"warmup-{name}"),
                    "--domain",
                    str(jdl),
                    "--defaults",
                ],
                env=env,
            )
            jh_times, jh_rss, bg_times, bg_rss = [], [], [], []
            for run in range(options.runs):
                target = root / f"jh-{name}-{run}"
                target.mkdir()
                seconds, rss, _ = measured(
                    [
                        str(options.jhipster),
                        "jdl",
                        str(jdl),
                        "--skip-client",
                        "--skip-install",
                        "--skip-git",
                        "--force",
                        "--no-insight",
                    ],
                    env=env,
                    cwd=target,
                )
                jh_times.append(seconds)
                jh_rss.append(rss)
                seconds, rss, _ = measured(
                    [
                        *backendgen_argv,
                        str(root / f"bg-{name}-{run}"),
                        "--domain",
                        str(jdl),
                        "--defaults",
                    ],
                    env=env,
                )
                bg_times.append(seconds)
                bg_rss.append(rss)
            jh_dir, bg_dir = root / f"jh-{name}-0", root / f"bg-{name}-0"
            results["files"][name] = {  # type: ignore[index]
                "jhipster": {
                    "wall_s": stats(jh_times),
                    "peak_rss_mib": stats(jh_rss, 1),
                    "files": _files(jh_dir),
                    "test_functions": _tests(jh_dir / "src" / "test", "*.java", JAVA_TEST),
                },
                "backendgen": {
                    "wall_s": stats(bg_times),
                    "peak_rss_mib": stats(bg_rss, 1),
                    "files": _files(bg_dir),
                    "test_functions": _tests(bg_dir, "test_*.py", PYTHON_TEST),
                },
                "speedup": round(statistics.median(jh_times) / statistics.median(bg_times), 2),
                "memory_ratio": round(statistics.median(jh_rss) / statistics.median(bg_rss), 2),
            }
    write_result("jhipster", results)


if __name__ == "__main__":
    main()
