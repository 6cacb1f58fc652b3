"""What the benchmarks share: the installed commands and a timed run of one of them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
"""The environment's ``bin`` directory (``backendgen``, ``copier``)."""


def timed(command: str, *args: str, env: dict[str, str]) -> float:
    """Run ``BIN/command args`` to completion (it must succeed) and return its wall seconds."""
    started = time.perf_counter()
    subprocess.run([str(BIN / command), *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - started
