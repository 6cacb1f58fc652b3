"""What the benchmarks share: the installed commands, timed runs, statistics and result files.

Each benchmark prints its result as JSON and writes it to ``bench/results/NAME.json`` with the
machine it ran on; ``bench/summary.py`` turns those files into ``bench/results/SUMMARY.md``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
"""The environment's ``bin`` directory (``backendgen``, ``copier``)."""

RESULTS = Path(__file__).resolve().parent / "results"
"""Where every benchmark writes its JSON result (ignored by git: figures are per machine)."""


def timed(command: str, *args: str, env: dict[str, str]) -> float:
    """Run ``BIN/command args`` to completion (it must succeed) and return its wall seconds."""
    started = time.perf_counter()
    subprocess.run([str(BIN / command), *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def measured(
    argv: list[str], *, env: dict[str, str], cwd: Path | None = None
) -> tuple[float, float, str]:
    """Run ``argv`` (it must succeed): its wall seconds, peak RSS and standard output.

    The peak RSS is the kernel's ``ru_maxrss`` for the process and the descendants it waited
    for, from ``wait4``: the largest single process of the tree, in MiB.

    Returns:
        ``(seconds, peak_mib, stdout)``.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, argv, output[-4000:])
    return seconds, usage.ru_maxrss / 1024, output


def stats(values: list[float], digits: int = 3) -> dict[str, Any]:
    """Median, min, max and every value of one measurement."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "values": [round(v, digits) for v in values],
    }


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "absent"
    return (done.stdout or done.stderr).strip().splitlines()[-1] if done.returncode == 0 else "?"


def machine() -> dict[str, Any]:
    """The machine a result was measured on: CPU, cores, memory, load, tool versions."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "copier": _version([str(BIN / "copier"), "--version"]),
        "git": _version(["git", "--version"]),
        "node": _version(["node", "--version"]) if shutil.which("node") else "absent",
        "max_rss_unit": "MiB",
        "self_max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Print ``result`` as JSON and write it, with the machine and the command, to RESULTS.

    Args:
        name: The result's file name, without ``.json``.
        result: The benchmark's figures.

    Returns:
        The file written.
    """
    record = {
        "benchmark": name,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **result,
        "machine": machine(),
    }
    print(json.dumps(record, indent=2))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path
