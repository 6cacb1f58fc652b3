"""Benchmark: DAG-parallel vs sequential LLM agents against a loopback server with latency.

The loopback server answers each agent with a consistent spec after a simulated latency, in
two profiles: realistic (0.5 s to first token, then 50 tokens/s) and flat (1 s per request,
whatever its length). For each, `backendgen new` runs sequentially (--max-parallel 1) and on
the DAG (--max-parallel 6), each with a cold cache, then the DAG run again on its warm cache.
Reports wall time (median of --runs), the speed-up against the brief's 1.67x and the issue's
2.5x goal, per run the requests the server counted, tokens and cost from the report, and the
schedule of the first DAG and sequential runs as the server saw it: when the first request
arrived, when the last answer left, the tail after it (renders and commits), and per agent
its span of requests. Writes bench/results/llm.json. Run with `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import timed, write_result  # bench/timing.py, beside this script

from tests.fakes import FakeOpenAI, RecordedRequest, request_name, running_server
from tests.integration.test_llm_wire import NAME_TO_AGENT, consistent_model, openai_new_args

BRIEF_SPEEDUP = 1.67
"""The speed-up the brief claims for parallel agents."""

GOAL_SPEEDUP = 2.5
"""The speed-up issue 12 asks for at realistic latency."""

PROFILES: dict[str, tuple[float, float]] = {
    "realistic": (0.5, 50.0),
    "flat_1s": (1.0, 1e9),
}
"""Latency profiles: (seconds to first token, tokens per second)."""


def _run(
    fake: FakeOpenAI, destination: Path, cache: Path, parallel: int, batch_size: int
) -> dict[str, Any]:
    """One `backendgen new`: wall seconds, the server's request count, the report's totals."""
    env = os.environ | {"XDG_CACHE_HOME": str(cache), "OPENAI_API_KEY": "bench"}
    before = len(fake.requests)
    started = time.monotonic()
    seconds = timed(
        "backendgen",
        *openai_new_args(
            fake.base_url,
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
    totals = json.loads((destination / ".backendgen" / "report.json").read_text())["totals"]
    sent = fake.requests[before:]
    return {
        "seconds": round(seconds, 2),
        "requests_sent": len(sent),
        "tokens": totals["prompt_tokens"] + totals["completion_tokens"],
        "cost_usd": totals["cost_usd"],
        "replayed": totals.get("replayed", 0),
        "schedule": _schedule(sent, started, seconds),
    }


def _schedule(sent: list[RecordedRequest], started: float, seconds: float) -> dict[str, Any]:
    """When the run's requests were in flight, relative to its start (seconds)."""
    if not sent:
        return {}
    spans: dict[str, list[float]] = {}
    for request in sent:
        name = NAME_TO_AGENT.get(str(request_name(request.body)), str(request_name(request.body)))
        end = (request.finished or request.arrived) - started
        first, last = spans.get(name, [request.arrived - started, end])
        spans[name] = [min(first, request.arrived - started), max(last, end)]
    last_answer = max(last for _, last in spans.values())
    return {
        "first_request_s": round(min(first for first, _ in spans.values()), 2),
        "last_answer_s": round(last_answer, 2),
        "tail_after_last_answer_s": round(seconds - last_answer, 2),
        "llm_seconds_summed": round(sum((r.finished or r.arrived) - r.arrived for r in sent), 2),
        "agents": {n: [round(a, 2), round(b, 2)] for n, (a, b) in sorted(spans.items())},
    }


def _profile(
    name: str, latency: tuple[float, float], root: Path, runs: int, *, parallel: int, batch: int
) -> dict[str, Any]:
    results: dict[str, list[dict[str, Any]]] = {"sequential": [], "dag": []}
    with running_server(consistent_model, latency=latency) as fake:
        for run in range(runs):
            for mode, workers in (("sequential", 1), ("dag", parallel)):
                where = root / f"{name}-{mode}-{run}"
                results[mode].append(
                    _run(fake, where, root / f"cache-{where.name}", workers, batch)
                )
        warm = _run(fake, root / f"{name}-warm", root / f"cache-{name}-dag-0", parallel, batch)
    sequential = statistics.median(r["seconds"] for r in results["sequential"])
    dag = statistics.median(r["seconds"] for r in results["dag"])
    speedup = round(sequential / dag, 2)
    return {
        "latency": {"first_token_s": latency[0], "tokens_per_s": latency[1]},
        "sequential": results["sequential"][0] | {"median_s": round(sequential, 2)},
        "dag": results["dag"][0] | {"median_s": round(dag, 2), "max_parallel": parallel},
        "speedup": speedup,
        "vs_brief_1_67x": round(speedup / BRIEF_SPEEDUP, 2),
        "meets_2_5x_goal": speedup >= GOAL_SPEEDUP,
        "cached_rerun": warm,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--max-parallel", type=int, default=6, help="workers of the DAG run")
    parser.add_argument("--batch-size", type=int, default=4, help="entities per core request")
    parser.add_argument("--profile", choices=sorted(PROFILES), action="append")
    options = parser.parse_args()
    chosen = options.profile or list(PROFILES)
    results: dict[str, Any] = {
        "runs": options.runs,
        "batch_size": options.batch_size,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory(prefix="backendgen-bench-") as tmp:
        for name in chosen:
            results[name] = _profile(
                name,
                PROFILES[name],
                Path(tmp),
                options.runs,
                parallel=options.max_parallel,
                batch=options.batch_size,
            )
    write_result("llm", results)


if __name__ == "__main__":
    main()
