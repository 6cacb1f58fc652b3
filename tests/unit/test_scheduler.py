"""The DAG scheduler: dependencies first, bounded parallelism, commits in topological order."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

import pytest

from backendgen.agents.registry import AGENTS, AgentDefinition
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.scheduler import run_dag
from backendgen.llm.request_queue import FIRST_ASK, REASK, RequestQueue


class _Recorder:
    def __init__(self, delays: Mapping[str, float]) -> None:
        self.delays = delays
        self.lock = threading.Lock()
        self.running = 0
        self.max_running = 0
        self.started: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.commits: list[str] = []

    def run_one(self, agent: AgentDefinition, upstream: Mapping[str, SlotSpec]) -> SlotSpec:
        assert set(upstream) == set(agent.depends_on)
        with self.lock:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            self.started[agent.name] = time.perf_counter()
        time.sleep(self.delays.get(agent.name, 0.05))
        with self.lock:
            self.running -= 1
            self.finished[agent.name] = time.perf_counter()
        return SlotSpec()

    def commit(self, agent: AgentDefinition, _spec: SlotSpec) -> None:
        self.commits.append(agent.name)


@pytest.mark.parametrize("max_parallel", [1, 2, 3, 6])
def test_dependencies_finish_before_dependants_start(max_parallel: int) -> None:
    recorder = _Recorder({})
    run_dag(AGENTS, recorder.run_one, lambda s: s, recorder.commit, max_parallel)
    for agent in AGENTS:
        for dependency in agent.depends_on:
            assert recorder.finished[dependency] <= recorder.started[agent.name]
    assert recorder.commits == [a.name for a in AGENTS]
    assert recorder.max_running <= max_parallel


def test_parallelism_reaches_the_limit() -> None:
    # security, devops and monitoring depend only on core: three can run at once.
    recorder = _Recorder(
        dict.fromkeys(
            ("security_compliance", "devops_infrastructure", "monitoring_observability"), 0.3
        )
    )
    run_dag(AGENTS, recorder.run_one, lambda s: s, recorder.commit, 3)
    assert recorder.max_running == 3


def test_an_agent_starts_when_its_own_dependencies_finish_not_its_batch() -> None:
    # testing_qa needs only core; a slow devops must not hold it back.
    recorder = _Recorder({"devops_infrastructure": 0.6})
    run_dag(AGENTS, recorder.run_one, lambda s: s, recorder.commit, 3)
    assert recorder.started["testing_qa"] < recorder.finished["devops_infrastructure"]
    assert recorder.commits == [a.name for a in AGENTS]


def test_a_slow_security_agent_holds_back_no_other_agent() -> None:
    # Only documentation waits for an agent other than core (monitoring, for its runbooks).
    recorder = _Recorder({"security_compliance": 0.8})
    run_dag(AGENTS, recorder.run_one, lambda s: s, recorder.commit, 3)
    for name in ("documentation", "testing_qa"):
        assert recorder.finished[name] < recorder.finished["security_compliance"], name
    assert recorder.commits == [a.name for a in AGENTS]


def test_a_failing_agent_stops_the_run() -> None:
    def run_one(agent: AgentDefinition, _upstream: Mapping[str, SlotSpec]) -> SlotSpec:
        if agent.name == "security_compliance":
            raise RuntimeError("boom")
        return SlotSpec()

    with pytest.raises(RuntimeError, match="boom"):
        run_dag(AGENTS, run_one, lambda s: s, lambda *_: None, 2)


def test_agents_that_read_only_the_declared_core_start_with_core() -> None:
    recorder = _Recorder({"core_backend": 0.4})
    declared = {"core_backend": SlotSpec()}
    run_dag(AGENTS, recorder.run_one, lambda s: s, recorder.commit, 6, declared=declared)
    early = {a.name for a in AGENTS if "core_backend" in a.starts_on_declared}
    assert early == {"devops_infrastructure", "monitoring_observability", "documentation"}
    for name in early:
        assert recorder.started[name] < recorder.finished["core_backend"], name
    assert recorder.finished["monitoring_observability"] <= recorder.started["documentation"]
    assert recorder.commits == [a.name for a in AGENTS]


class _Speculation(_Recorder):
    """Records the upstream specs each run got; the core answer is ``core_answer``."""

    def __init__(self, core_answer: SlotSpec) -> None:
        super().__init__({"core_backend": 0.3})
        self.core_answer = core_answer
        self.runs: list[tuple[str, SlotSpec | None]] = []

    def run_one(self, agent: AgentDefinition, upstream: Mapping[str, SlotSpec]) -> SlotSpec:
        super().run_one(agent, upstream)
        with self.lock:
            self.runs.append((agent.name, upstream.get("core_backend")))
        return self.core_answer if agent.name == "core_backend" else SlotSpec()


class _Core(SlotSpec):
    version: int = 0


@pytest.mark.parametrize("changed", [False, True])
def test_security_and_testing_start_on_the_declared_core_and_rerun_only_if_it_changed(
    changed: bool,
) -> None:
    declared = _Core()
    recorder = _Speculation(_Core(version=1) if changed else _Core())
    run_dag(
        AGENTS,
        recorder.run_one,
        lambda s: s,
        recorder.commit,
        6,
        declared={"core_backend": declared},
    )
    speculating = {a.name for a in AGENTS if "core_backend" in a.speculates_on}
    assert speculating == {"security_compliance", "testing_qa"}
    for name in speculating:
        first, *again = [core for agent, core in recorder.runs if agent == name]
        assert first is declared  # started on the declared core, before core answered
        assert again == ([recorder.core_answer] if changed else [])
        if not changed:
            assert recorder.started[name] < recorder.finished["core_backend"], name
    assert recorder.commits == [a.name for a in AGENTS]


def test_a_sequential_run_does_not_speculate() -> None:
    recorder = _Speculation(_Core(version=1))
    run_dag(
        AGENTS,
        recorder.run_one,
        lambda s: s,
        recorder.commit,
        1,
        declared={"core_backend": _Core()},
    )
    for name in ("security_compliance", "testing_qa"):
        assert [core for agent, core in recorder.runs if agent == name] == [recorder.core_answer]
        assert recorder.started[name] >= recorder.finished["core_backend"], name


def test_reasks_go_to_the_front_of_the_request_queue() -> None:
    queue = RequestQueue(1)
    order: list[str] = []
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with queue.slot():
            holding.set()
            release.wait()

    def ask(name: str, priority: int) -> None:
        with queue.slot(priority):
            order.append(name)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait()
    waiters = []
    for name, priority in (("first ask", FIRST_ASK), ("another ask", FIRST_ASK), ("re-ask", REASK)):
        waiter = threading.Thread(target=ask, args=(name, priority))
        waiter.start()
        waiters.append(waiter)
        while len(queue._waiting) < len(waiters):  # queued in this order
            time.sleep(0.001)
    release.set()
    for thread in [holder, *waiters]:
        thread.join()
    assert order == ["re-ask", "first ask", "another ask"]


def test_the_prelude_runs_beside_the_agents_and_before_every_commit() -> None:
    recorder = _Recorder({})
    first_agent_ran = threading.Event()
    prelude_done = threading.Event()
    committed_after_prelude: list[bool] = []

    def run_one(agent: AgentDefinition, upstream: Mapping[str, SlotSpec]) -> SlotSpec:
        first_agent_ran.set()
        return recorder.run_one(agent, upstream)

    def prelude() -> None:
        # Sequential scheduling would run no agent before this returns: the wait times out.
        assert first_agent_ran.wait(timeout=30), "no agent ran while the prelude ran"
        prelude_done.set()

    def commit(agent: AgentDefinition, spec: SlotSpec) -> None:
        committed_after_prelude.append(prelude_done.is_set())
        recorder.commit(agent, spec)

    run_dag(AGENTS, run_one, lambda s: s, commit, 3, prelude=prelude)
    assert recorder.commits == [a.name for a in AGENTS]
    assert committed_after_prelude == [True] * len(AGENTS)


def test_a_failing_prelude_ends_the_run_with_its_error() -> None:
    recorder = _Recorder({})

    def prelude() -> None:
        raise RuntimeError("scaffold failed")

    with pytest.raises(RuntimeError, match="scaffold failed"):
        run_dag(AGENTS, recorder.run_one, lambda s: s, recorder.commit, 3, prelude=prelude)
    assert recorder.commits == []
