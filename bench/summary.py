"""Write ``bench/results/SUMMARY.md`` from the JSON results the benchmarks wrote beside it.

Each section quotes medians with their min-max range, the ratios, and the command that made
the figures; a result that is missing (its benchmark was not run) is said to be missing.
Run with `make bench` (last), or alone: `python bench/summary.py`.
"""

from __future__ import annotations

import json
from typing import Any

from timing import RESULTS


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _s(value: dict[str, Any], unit: str = "s") -> str:
    return f"{value['median']} {unit} ({value['min']}-{value['max']})"


def _command(result: dict[str, Any]) -> str:
    return f"`python bench/{result['command']}` ({result['finished_at']})"


def _new(result: dict[str, Any]) -> list[str]:
    return [
        "## a. `backendgen new --defaults` against plain `copier copy`",
        "",
        "| | wall time, median (min-max) | peak RSS, median |",
        "|---|---|---|",
        f"| `backendgen new --defaults` | {_s(result['backendgen_new_s'])} | "
        f"{result['backendgen_new_peak_rss_mib']['median']} MiB |",
        f"| `copier copy` (same template, same answers) | {_s(result['copier_copy_s'])} | "
        f"{result['copier_copy_peak_rss_mib']['median']} MiB |",
        "",
        f"Ratio {result['ratio']}x (goal <= {result['goal_ratio']}x, "
        f"{'met' if result['ratio'] <= result['goal_ratio'] else 'NOT met'}); "
        f"{result['files_generated']} files; {result['runs']} interleaved runs. {_command(result)}",
    ]


def _jhipster(result: dict[str, Any]) -> list[str]:
    lines = [
        f"## b. backendgen against JHipster {result['jhipster_version']}",
        "",
        "| file | JHipster `jdl --skip-client --skip-install --skip-git` | "
        "`backendgen new --domain FILE --defaults` | faster | less memory | "
        "files (JH / bg) | test functions (JH / bg) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in result["files"].items():
        jh, bg = row["jhipster"], row["backendgen"]
        lines.append(
            f"| {name} | {_s(jh['wall_s'])}, {jh['peak_rss_mib']['median']} MiB | "
            f"{_s(bg['wall_s'])}, {bg['peak_rss_mib']['median']} MiB | {row['speedup']}x | "
            f"{row['memory_ratio']}x | {jh['files']} / {bg['files']} | "
            f"{jh['test_functions']} / {bg['test_functions']} |"
        )
    lines += [
        "",
        f"Goal: >= 5x faster. {result['runs']} interleaved runs per file; peak RSS is the "
        f"largest process of each tree. {_command(result)}",
    ]
    return lines


def _llm(result: dict[str, Any]) -> list[str]:
    lines = [
        "## c. LLM mode: DAG-parallel against sequential (loopback OpenAI-compatible server)",
        "",
        f"{result['batch_size']} entities per core request; {result['runs']} interleaved runs; "
        f"load average at the start {result.get('load_average_at_start')}.",
        "",
        "| latency | sequential | DAG-parallel | speed-up | goal 2.5x | cached rerun |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("realistic", "flat_1s"):
        profile = result.get(name)
        if profile is None:
            continue
        latency = profile["latency"]
        speed = (
            "1 s flat"
            if latency["tokens_per_s"] >= 1e6
            else (f"{latency['first_token_s']} s + {latency['tokens_per_s']} tok/s")
        )
        sequential, dag, warm = profile["sequential"], profile["dag"], profile["cached_rerun"]
        lines.append(
            f"| {speed} | {sequential['median_s']} s | {dag['median_s']} s "
            f"(`--max-parallel {dag['max_parallel']}`) | {profile['speedup']}x | "
            f"{'met' if profile['meets_2_5x_goal'] else 'not met'} | {warm['seconds']} s, "
            f"{warm['requests_sent']} requests |"
        )
        lines.append(
            f"| | {sequential['requests_sent']} requests, {sequential['tokens']} tokens, "
            f"${sequential['cost_usd']} | {dag['requests_sent']} requests, {dag['tokens']} "
            f"tokens, ${dag['cost_usd']} | | | |"
        )
    lines += ["", _command(result)]
    return lines


def _update(result: dict[str, Any]) -> list[str]:
    lines = [
        "## d. `backendgen update` against plain `copier update`",
        "",
        "| entities | `backendgen update` | `copier update` | ratio | answers file |",
        "|---|---|---|---|---|",
    ]
    for size, row in result["by_entities"].items():
        lines.append(
            f"| {size} | {_s(row['backendgen_update_s'])} | {_s(row['copier_update_s'])} | "
            f"{row['ratio']}x | {row['answers_file_bytes']} bytes |"
        )
    lines += ["", f"{result['runs']} interleaved runs per size. {_command(result)}"]
    return lines


def _tests(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def _make_test(result: dict[str, Any]) -> list[str]:
    lines = [
        "## e. The generated project's `make test` (defaults)",
        "",
        f"{_s(result['make_test_s'])} for {_tests(result['tests'])} (the environment already "
        f"installed). {_command(result)}",
    ]
    baseline = result.get("baseline")
    if baseline:
        met = "met" if baseline["ratio"] <= baseline["goal_ratio"] else "NOT met"
        lines += [
            "",
            f"The same defaults generated at `{baseline['rev']}` (before issue 8's security "
            f"work): {_s(baseline['make_test_s'])} for {_tests(baseline['tests'])}; today's "
            f"takes {baseline['ratio']}x that (goal <= {baseline['goal_ratio']}x, {met}), "
            f"{result['runs']} interleaved runs of each.",
        ]
    return lines


def _scale(result: dict[str, Any]) -> list[str]:
    medians = ", ".join(f"{k} entities {v} s" for k, v in result["median_s_by_entities"].items())
    return [
        "## Scale (blueprint mode)",
        "",
        f"{medians}: {result['seconds_per_entity']} s per entity over a fixed "
        f"{result['fixed_cost_s']} s. {_command(result)}",
    ]


SECTIONS = {
    "new_vs_copier": _new,
    "jhipster": _jhipster,
    "llm": _llm,
    "update": _update,
    "generated_make_test": _make_test,
    "scale": _scale,
}


def main() -> None:
    lines = ["# Benchmark summary", ""]
    machine: dict[str, Any] | None = None
    for name, section in SECTIONS.items():
        result = _load(name)
        if result is None:
            lines += [f"## {name}", "", f"Missing: `bench/results/{name}.json` was not written."]
        else:
            machine = machine or result["machine"]
            lines += section(result)
            load = result["machine"]["load_average"]
            lines += ["", f"Load average (1, 5, 15 min) when it finished: {load}."]
        lines.append("")
    if machine:
        lines += [
            "## Machine",
            "",
            f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
            f"{machine['platform']}; Python {machine['python']}, {machine['copier']}, "
            f"{machine['git']}, node {machine['node']}; load average at the end of the first "
            f"benchmark {machine['load_average']}.",
            "",
        ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "SUMMARY.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
