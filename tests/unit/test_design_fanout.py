"""A large prose design fans out: an outline, then batches in parallel, merged and checked.

In process, through the real ``openai`` client against the loopback server, with the run's
own runtime (cache, queue, spend cap) built as ``backendgen new`` builds it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backendgen.domain.declared import DomainSpec
from backendgen.errors import UserInputError
from backendgen.generator.pipeline import GenerationOptions, llm_runtime
from backendgen.llm.design_fanout import BATCH_SYSTEM
from backendgen.llm.domain_designer import design_domain, fans_out
from backendgen.llm.runtime import LlmRuntime
from tests.design_model import (
    BATCH,
    FREIGHT,
    FREIGHT_DESCRIPTION,
    OUTLINE,
    FreightDesigner,
    batch,
    detail_names,
    freight_expected,
)
from tests.fakes import FakeOpenAI, request_name, running_server

ENTITY_NAMES = [e["name"] for e in FREIGHT["entities"]]
BATCHES = 10  # 40 entities, 4 a request (--batch-size's default)


def _runtime(fake: FakeOpenAI, cache: Path, monkeypatch: pytest.MonkeyPatch) -> LlmRuntime:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    runtime = llm_runtime(
        GenerationOptions(provider="openai", base_url=fake.base_url, max_parallel=4)
    )
    assert runtime is not None
    return runtime


def _named(fake: FakeOpenAI, name: str) -> list[dict[str, Any]]:
    return [b for b in fake.bodies if request_name(b) == name]


def test_a_long_list_fans_out_and_a_short_one_does_not() -> None:
    assert fans_out(FREIGHT_DESCRIPTION)
    assert not fans_out("a veterinary clinic: owners, pets, visits, invoices, reminders")


def test_forty_entities_come_from_an_outline_and_parallel_batches_and_replay_for_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = FreightDesigner()
    with running_server(model, latency=(0.2, 1e9)) as fake:
        design = design_domain(FREIGHT_DESCRIPTION, [], _runtime(fake, tmp_path, monkeypatch))
        outlines, batches = _named(fake, OUTLINE), _named(fake, BATCH)
        asked = [detail_names(b) for b in batches]
        first_run, concurrency = len(fake.requests), fake.max_concurrency
        again = design_domain(FREIGHT_DESCRIPTION, [], _runtime(fake, tmp_path, monkeypatch))
        rerun = len(fake.requests) - first_run
    assert (len(outlines), len(batches), first_run) == (1, BATCHES, 1 + BATCHES)
    assert sorted(n for names in asked for n in names) == sorted(ENTITY_NAMES)
    assert all(len(names) == 4 for names in asked)
    assert concurrency == 4  # the batches ran in parallel, bounded by --max-parallel
    assert FREIGHT_DESCRIPTION in str(outlines[0]["messages"])
    assert BATCH_SYSTEM in str(batches[0]["messages"])
    assert design.domain == DomainSpec.model_validate(freight_expected())
    assert "Vehicle.class renamed to 'class_value' (reserved word)" in design.warnings
    assert (design.report.requests, design.report.retries) == (1 + BATCHES, 0)
    assert rerun == 0  # every answer of the fan-out is replayed from the cache
    assert again.domain == design.domain
    assert (again.report.source, again.report.replayed) == ("cache", 1 + BATCHES)


def test_an_invalid_batch_is_re_asked_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def one_entity_short_once(names: list[str], seen: int) -> Any:
        if "Vehicle" not in names or seen:
            return None
        answer = batch(names)
        answer["entities"] = answer["entities"][1:]
        return answer

    model = FreightDesigner(one_entity_short_once)
    with running_server(model) as fake:
        design = design_domain(FREIGHT_DESCRIPTION, [], _runtime(fake, tmp_path, monkeypatch))
        batches = [detail_names(b) for b in _named(fake, BATCH)]
    vehicle = next(names for names in batches if "Vehicle" in names)
    assert batches.count(vehicle) == 2
    assert len(batches) == BATCHES + 1  # only that batch was asked again
    reask = next(b for b in _named(fake, BATCH) if len(b["messages"]) > 2)
    assert detail_names(reask) == vehicle
    assert "entities must be exactly" in json.dumps(reask["messages"])
    assert design.domain == DomainSpec.model_validate(freight_expected())
    assert design.report.retries == 1


def test_a_batch_invalid_for_good_is_one_clear_error_and_its_rerun_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unknown_enum(names: list[str], seen: int) -> Any:
        if "Vehicle" not in names:
            return None
        answer = batch(names)
        for detail in answer["entities"]:
            detail["fields"] = [{"name": "kind", "type": "enum", "enum": "VehicleKind"}]
        return answer

    model = FreightDesigner(unknown_enum)
    errors: list[str] = []
    counts: list[int] = []
    with running_server(model) as fake:
        for _ in range(2):
            with pytest.raises(UserInputError) as raised:
                design_domain(FREIGHT_DESCRIPTION, [], _runtime(fake, tmp_path, monkeypatch))
            errors.append(str(raised.value))
            counts.append(len(fake.requests))
    assert errors[0] == errors[1]
    assert errors[0].startswith("--describe: no domain designed, nothing written: entity batch ")
    assert f"of {BATCHES} (" in errors[0]
    assert "Vehicle" in errors[0]
    assert "uses unknown enum 'VehicleKind'" in errors[0]
    assert "\n" not in errors[0]
    assert counts[0] == 1 + BATCHES + 2  # that batch: the first ask and two re-asks
    assert counts[1] == counts[0]  # the rerun replays every answer, the failures too
