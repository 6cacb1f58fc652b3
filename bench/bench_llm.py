"""Benchmark: DAG-parallel vs sequential LLM agents against a loopback server with latency.

The loopback server answers each agent with a consistent spec after a simulated latency (time to
first token plus tokens per second). Reports, for the defaults, the median wall time of
`backendgen new` with --max-parallel 1 (sequential) and 3 (the DAG), their ratio, the requests
and tokens per backend, and the same with a warm cache. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import stats, timed, write_result  # bench/timing.py, beside this script

from tests.fakes import running_server
from tests.test_llm_wire import consistent_model, openai_new_args


def _generate(
    base_url: str, destination: Path, cache: Path, parallel: int, batch_size: int = 4
) -> float:
    env = os.environ | {"XDG_CACHE_HOME": str(cache), "OPENAI_API_KEY": "bench"}
    return timed(
        "backendgen",
        *openai_new_args(
            base_url,
            destination,
            "--max-parallel",
            str(parallel),
            "--timeout",
            "600",  # a long answer at the simulated speed must not time out
            "--batch-size",
            str(batch_size),
        ),
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--first-token", type=float, default=0.5)
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    parser.add_argument("--batch-size", type=int, default=4, help="entities per core request")
    options = parser.parse_args()
    latency = (options.first_token, options.tokens_per_second)
    results: dict[str, object] = {
        "latency": {"first_token_s": latency[0], "tokens_per_s": latency[1]},
        "batch_size": options.batch_size,
    }
    with (
        tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp,
        running_server(consistent_model, latency=latency) as fake,
    ):
        root = Path(tmp)
        times: dict[int, list[float]] = {1: [], 3: []}
        for run in range(options.runs):
            for parallel in (1, 3):
                cache = root / f"cache-{parallel}-{run}"
                times[parallel].append(
                    _generate(
                        fake.base_url,
                        root / f"p{parallel}-{run}",
                        cache,
                        parallel,
                        options.batch_size,
                    )
                )
        requests_before = len(fake.requests)
        warm = [
            _generate(fake.base_url, root / f"warm{run}", root / "cache-3-0", 3, options.batch_size)
            for run in range(options.runs)
        ]
        report = json.loads((root / "p3-0" / ".backendgen" / "report.json").read_text())
        results |= {
            "runs": options.runs,
            "sequential_s": stats(times[1], 2),
            "dag_parallel_s": stats(times[3], 2),
            "speedup": round(statistics.median(times[1]) / statistics.median(times[3]), 2),
            "requests_per_backend": report["totals"]["requests"],
            "tokens_per_backend": report["totals"]["prompt_tokens"]
            + report["totals"]["completion_tokens"],
            "cost_usd_per_backend": report["totals"]["cost_usd"],
            "warm_cache_s": stats(warm, 2),
            "warm_cache_requests": len(fake.requests) - requests_before,
        }
    write_result("llm", results)


if __name__ == "__main__":
    main()
