"""LLM agents with an injected `create`: re-asks, consistency errors, fallback, cache, budget."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from openai.types.chat import ChatCompletion

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.core_backend.blueprint import core_blueprint
from backendgen.agents.registry import agent_named
from backendgen.llm.fanout import entity_groups
from backendgen.llm.llm_agent import LlmRuntime, estimate_tokens, run_llm_agent
from backendgen.llm.llm_cache import LlmCache
from backendgen.llm.pricing import Price
from backendgen.llm.providers import LlmSettings
from backendgen.questions.domain import DomainSpec, load_catalogue_domain
from tests.helpers import SHOP_ANSWERS, synthetic_domain

ANSWERS = SHOP_ANSWERS


def _completion(
    payload: Any, *, tools: bool, prompt: int = 100, completion: int = 50
) -> ChatCompletion:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    message: dict[str, Any] = {"role": "assistant", "content": None if tools else text}
    if tools:
        message["tool_calls"] = [
            {"id": "call_1", "type": "function", "function": {"name": "spec", "arguments": text}}
        ]
    return ChatCompletion.model_validate(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [
                {"index": 0, "message": message, "finish_reason": "tool_calls" if tools else "stop"}
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }
    )


class ScriptedCreate:
    """An OpenAI `create` that replies from a script and records the requests."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> ChatCompletion:
        self.requests.append(kwargs)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return _completion(reply, tools="tools" in kwargs)


def _runtime(
    create: Any,
    tmp_path: Path | None = None,
    *,
    mode: str = "tools",
    budget: int = 6000,
    per_request: int = 100,
    parallel: int = 1,
) -> LlmRuntime:
    return LlmRuntime(
        settings=LlmSettings(
            provider="openai", model="test-model", mode=mode, validation_retries=2
        ),
        create=create,
        prices={"test-model": Price(input=1.0, output=2.0)},
        cache=LlmCache(tmp_path / "cache") if tmp_path else None,
        token_budget=budget,
        entities_per_request=per_request,
        max_parallel=parallel,
    )


def _source(*agents: str) -> BlueprintInput:
    domain = load_catalogue_domain("ecommerce")
    core = core_blueprint(BlueprintInput(ANSWERS, domain))
    return BlueprintInput(ANSWERS, domain, {"core_backend": core} if agents else {})


def _valid_devops() -> dict[str, Any]:
    return {"port": 8080, "workers": 3, "env": [{"name": "LOG_LEVEL", "value": "INFO"}]}


@pytest.mark.parametrize("mode", ["tools", "json_schema"])
def test_invalid_output_is_reasked_then_accepted(mode: str) -> None:
    create = ScriptedCreate({"port": 80}, _valid_devops())
    outcome = run_llm_agent(
        agent_named("devops_infrastructure"), _source("core"), _runtime(create, mode=mode)
    )
    assert outcome.report.source == "llm"
    assert outcome.spec.model_dump()["port"] == 8080
    assert len(create.requests) == 2
    reask = json.dumps(create.requests[1]["messages"])
    assert "port" in reask
    assert "greater than or equal to 1024" in reask
    assert (outcome.report.prompt_tokens, outcome.report.completion_tokens) == (200, 100)
    assert outcome.report.requests == 2
    assert outcome.report.cost_usd == pytest.approx((200 * 1.0 + 100 * 2.0) / 1e6)


def test_consistency_error_names_the_unknown_entity_in_the_reask() -> None:
    security = {
        "roles": [{"name": "admin"}, {"name": "viewer"}],
        "auth": {"default_role": "viewer"},
        "permissions": [{"role": "viewer", "entity": "Spaceship", "actions": ["read"]}],
    }
    fixed = {
        **security,
        "permissions": [{"role": "viewer", "entity": "Product", "actions": ["read"]}],
    }
    create = ScriptedCreate(security, fixed)
    outcome = run_llm_agent(agent_named("security_compliance"), _source("core"), _runtime(create))
    assert outcome.report.source == "llm"
    assert "unknown entity 'Spaceship'" in json.dumps(create.requests[1]["messages"])


def test_fallback_after_retries_keeps_the_reason_and_usage() -> None:
    create = ScriptedCreate({"port": 1})
    outcome = run_llm_agent(agent_named("devops_infrastructure"), _source("core"), _runtime(create))
    assert outcome.report.source == "blueprint"
    assert outcome.report.fallback_reason is not None
    assert "attempts" in outcome.report.fallback_reason
    assert len(create.requests) == 3  # first try + 2 re-asks
    assert outcome.report.prompt_tokens == 300
    assert outcome.spec.model_dump()["port"] == 8000  # the blueprint's


def test_garbage_json_is_reasked() -> None:
    create = ScriptedCreate('{"port": 80', _valid_devops())
    outcome = run_llm_agent(agent_named("devops_infrastructure"), _source("core"), _runtime(create))
    assert outcome.report.source == "llm"
    assert len(create.requests) == 2


def test_identical_rerun_is_served_from_cache(tmp_path: Path) -> None:
    create = ScriptedCreate(_valid_devops())
    first = run_llm_agent(
        agent_named("devops_infrastructure"), _source("core"), _runtime(create, tmp_path)
    )
    second = run_llm_agent(
        agent_named("devops_infrastructure"), _source("core"), _runtime(create, tmp_path)
    )
    assert first.report.source == "llm"
    assert second.report.source == "cache"
    assert second.spec == first.spec
    assert len(create.requests) == 1
    assert second.cached_tokens == 150


def test_prompt_over_budget_is_compressed_then_falls_back() -> None:
    source = _source("core")
    agent = agent_named("testing_qa")
    create = ScriptedCreate({"samples": []})
    from backendgen.agents.prompts import build_messages

    full = estimate_tokens(build_messages(agent.name, ANSWERS, source.domain, source.upstream))
    compressed = estimate_tokens(
        build_messages(agent.name, ANSWERS, source.domain, source.upstream, 2)
    )
    assert compressed < full
    fits_compressed = run_llm_agent(agent, source, _runtime(create, budget=compressed + 300))
    assert fits_compressed.report.source == "llm"
    assert fits_compressed.sent_prompt_tokens < fits_compressed.full_prompt_tokens
    too_small = run_llm_agent(agent, source, _runtime(create, budget=600))
    assert too_small.report.source == "blueprint"
    assert "exceeds the budget" in str(too_small.report.fallback_reason)


def test_max_tokens_is_the_budget_left_after_the_prompt() -> None:
    create = ScriptedCreate(_valid_devops())
    run_llm_agent(
        agent_named("devops_infrastructure"), _source("core"), _runtime(create, budget=3000)
    )
    sent = create.requests[0]
    assert sent["max_tokens"] == 3000 - estimate_tokens(sent["messages"][:2])


def _declared_core() -> dict[str, Any]:
    """The ecommerce domain's core spec as declared, as a model would send it back."""
    return core_blueprint(_source()).model_dump(mode="json")


def test_a_model_may_enrich_the_declared_domain() -> None:
    enriched = _declared_core()
    customer = next(e for e in enriched["entities"] if e["name"] == "Customer")
    customer["fields"].append({"name": "nickname", "type": "string", "max_length": 40})
    customer["rules"].append("Nicknames are shown publicly.")
    enriched["enums"].append({"name": "Tier", "values": ["BRONZE", "GOLD"]})
    create = ScriptedCreate(enriched)
    outcome = run_llm_agent(agent_named("core_backend"), _source(), _runtime(create))
    assert outcome.report.source == "llm"
    spec = outcome.spec.model_dump()
    names = [f["name"] for e in spec["entities"] if e["name"] == "Customer" for f in e["fields"]]
    assert "nickname" in names
    assert len(create.requests) == 1


def test_dropping_a_declared_field_is_reasked() -> None:
    declared = _declared_core()
    dropped = json.loads(json.dumps(declared))
    product = next(e for e in dropped["entities"] if e["name"] == "Product")
    product["fields"] = [f for f in product["fields"] if f["name"] != "sku"]
    create = ScriptedCreate(dropped, declared)
    outcome = run_llm_agent(agent_named("core_backend"), _source(), _runtime(create))
    assert outcome.report.source == "llm"
    assert len(create.requests) == 2
    assert "field Product.sku is missing" in json.dumps(create.requests[1]["messages"])


def test_a_model_that_keeps_changing_the_declared_domain_falls_back() -> None:
    changed = _declared_core()
    product = next(e for e in changed["entities"] if e["name"] == "Product")
    price = next(f for f in product["fields"] if f["name"] == "price")
    price["type"] = "integer"
    changed["enums"] = [e for e in changed["enums"] if e["name"] != "OrderStatus"]
    create = ScriptedCreate(changed)
    outcome = run_llm_agent(agent_named("core_backend"), _source(), _runtime(create))
    assert outcome.report.source == "blueprint"
    assert len(create.requests) == 3
    reask = json.dumps(create.requests[1]["messages"])
    assert "field Product.price changed ['type']" in reask
    assert "enum OrderStatus is missing" in reask
    assert outcome.spec.model_dump() == core_blueprint(_source()).model_dump()


class GroupedCreate:
    """Answers each core request with the declared entities it asked for (plus one field)."""

    def __init__(self, *, add_shared_entity: bool = False) -> None:
        self.asked: list[list[str]] = []
        self.add_shared_entity = add_shared_entity
        self.lock = threading.Lock()

    def __call__(self, **kwargs: Any) -> ChatCompletion:
        user = next(m for m in kwargs["messages"] if m["role"] == "user")
        wanted = [e["name"] for e in json.loads(user["content"])["domain"]["entities"]]
        with self.lock:
            self.asked.append(wanted)
        spec = _declared_core()
        spec["entities"] = [e for e in spec["entities"] if e["name"] in wanted]
        spec["entities"][0]["fields"].append({"name": "note", "type": "text"})
        if self.add_shared_entity:
            extra = {"name": "AuditTrail", "fields": [{"name": "detail", "type": "text"}]}
            spec["entities"].append(extra)
        return _completion(spec, tools="tools" in kwargs)


def test_core_fans_out_by_entity_group_and_merges() -> None:
    create = GroupedCreate()
    outcome = run_llm_agent(
        agent_named("core_backend"), _source(), _runtime(create, per_request=3, parallel=2)
    )
    declared = [e.name for e in load_catalogue_domain("ecommerce").entities]
    groups = -(-len(declared) // 3)
    assert len(create.asked) == groups
    assert max(map(len, create.asked)) - min(map(len, create.asked)) <= 1
    assert sorted(n for group in create.asked for n in group) == sorted(declared)
    assert outcome.report.source == "llm"
    assert outcome.report.requests == len(create.asked)
    assert outcome.report.prompt_tokens == 100 * len(create.asked)
    spec = outcome.spec.model_dump()
    assert [e["name"] for e in spec["entities"]] == declared
    notes = [e["name"] for e in spec["entities"] if "note" in [f["name"] for f in e["fields"]]]
    assert sorted(notes) == sorted(group[0] for group in create.asked)


def test_inconsistent_groups_fall_back_to_the_whole_blueprint() -> None:
    create = GroupedCreate(add_shared_entity=True)
    outcome = run_llm_agent(agent_named("core_backend"), _source(), _runtime(create, per_request=3))
    assert outcome.report.source == "blueprint"
    assert outcome.report.fallback_reason is not None
    assert "merged groups are inconsistent" in outcome.report.fallback_reason
    assert "duplicate entity names" in outcome.report.fallback_reason
    assert outcome.spec.model_dump() == core_blueprint(_source()).model_dump()


@pytest.mark.parametrize(("entities", "size"), [(1, 4), (4, 4), (5, 4), (7, 3), (13, 5), (60, 4)])
def test_entity_groups_are_balanced_ordered_and_complete(entities: int, size: int) -> None:
    domain = DomainSpec.model_validate(synthetic_domain(entities))
    groups = entity_groups(BlueprintInput(ANSWERS, domain), size)
    names = [e.name for e in domain.entities]
    assert [e.name for g in groups for e in g.domain.entities] == names
    assert len(groups) == -(-entities // size)
    sizes = [len(g.domain.entities) for g in groups]
    assert max(sizes) <= size
    assert max(sizes) - min(sizes) <= 1
    for group in groups:
        own = {e.name for e in group.domain.entities}
        assert set(group.external) == set(names) - own
