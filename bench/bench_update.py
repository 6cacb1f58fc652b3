"""Benchmark: `backendgen update` against plain `copier update` at 5, 20 and 60 entities.

A template repository gets two tags (the bundled template as v1.0.0; v2.0.0 changes the README
and .gitignore); for each size a project is generated at v1.0.0 from a synthetic domain. Each run
updates it to v2.0.0, once with `backendgen update` (preview renders, Copier's update, commit)
and once with plain `copier update`, resetting the project with git in between; the runs
alternate so machine load hits both alike. Reports per size the median, min and max of each
and the ratio of the medians. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import stats, timed, write_result  # bench/timing.py, beside this script

from tests.helpers import (
    commit_and_tag,
    copy_bundled_template,
    git_out,
    replace_in,
    synthetic_domain,
)

SIZES = (5, 20, 60)


def _template(root: Path) -> Path:
    repo = root / "template"
    copy_bundled_template(repo)
    commit_and_tag(repo, "template v1", "v1.0.0")
    readme = repo / "templates" / "backend" / "README.md.jinja"
    replace_in(readme, "## Quick start", "## Getting started")
    gitignore = repo / "templates" / "backend" / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "# template v2\n")
    commit_and_tag(repo, "template v2", "v2.0.0")
    return repo


def _reset(project: Path, start: str) -> None:
    git_out(project, "reset", "--quiet", "--hard", start)
    git_out(project, "clean", "--quiet", "-fdx")


def _measure(root: Path, template: Path, entities: int, runs: int, env: dict[str, str]) -> dict:
    domain = root / f"domain{entities}.yml"
    domain.write_text(yaml.safe_dump(synthetic_domain(entities)))
    project = root / f"service{entities}"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "backendgen"),
            "new",
            str(project),
            "--defaults",
            "--domain",
            str(domain),
            "-d",
            "compliance=[]",
            "--template",
            str(template),
            "--vcs-ref",
            "v1.0.0",
            "--trust",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    start = git_out(project, "rev-parse", "HEAD")
    ours: list[float] = []
    plain: list[float] = []
    for _ in range(runs):
        ours.append(
            timed("backendgen", "update", str(project), "--to", "v2.0.0", "--trust", env=env)
        )
        assert git_out(project, "log", "-1", "--format=%s").endswith("-> v2.0.0")
        _reset(project, start)
        os.chdir(project)
        plain.append(
            timed(
                "copier",
                "update",
                "--trust",
                "--defaults",
                "--quiet",
                "--vcs-ref",
                "v2.0.0",
                env=env,
            )
        )
        os.chdir(root)
        assert "_commit: v2.0.0" in (project / ".copier-answers.yml").read_text()
        _reset(project, start)
    return {
        "answers_file_bytes": (project / ".copier-answers.yml").stat().st_size,
        "backendgen_update_s": stats(ours),
        "copier_update_s": stats(plain),
        "ratio": round(statistics.median(ours) / statistics.median(plain), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        root = Path(tmp)
        gitconfig = root / "gitconfig"
        gitconfig.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n")
        env = os.environ | {
            "XDG_CACHE_HOME": str(root / "cache"),
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        os.environ.update(env)  # the helpers' git commands use the same identity
        template = _template(root)
        by_size: dict[str, object] = {}
        for size in options.sizes:  # written after each size: the largest takes longest
            by_size[str(size)] = _measure(root, template, size, options.runs, env)
            write_result("update", {"runs": options.runs, "by_entities": by_size})


if __name__ == "__main__":
    main()
