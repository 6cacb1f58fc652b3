"""Security and testing start on the declared core: their result stands only if it holds."""

from __future__ import annotations

from collections.abc import Mapping

from backendgen.agents.blueprints.context import BlueprintInput
from backendgen.agents.core_backend import CoreBackendSpec
from backendgen.agents.registry import agent_named
from backendgen.agents.spec_base import SlotSpec
from backendgen.generator.agent_outcome import blueprint_outcome, declared_specs
from backendgen.generator.speculation import settle, speculation_holds
from backendgen.llm.report import AgentReport
from backendgen.llm.runtime import AgentOutcome
from backendgen.questions.domain import load_catalogue_domain
from tests.helpers import SHOP_ANSWERS

DOMAIN = load_catalogue_domain("ecommerce")
SECURITY = agent_named("security_compliance")


def _inputs(real_core: CoreBackendSpec) -> tuple[BlueprintInput, BlueprintInput]:
    declared = declared_specs(SHOP_ANSWERS, DOMAIN)
    return (
        BlueprintInput(SHOP_ANSWERS, DOMAIN, declared),
        BlueprintInput(SHOP_ANSWERS, DOMAIN, {"core_backend": real_core}),
    )


def _declared_core() -> CoreBackendSpec:
    core = declared_specs(SHOP_ANSWERS, DOMAIN)["core_backend"]
    assert isinstance(core, CoreBackendSpec)
    return core


def _with_extra_field(core: CoreBackendSpec) -> CoreBackendSpec:
    data = core.model_dump(mode="json")
    data["entities"][0]["fields"].append(
        {"name": "loyalty_code", "type": "string", "max_length": 20, "required": False}
    )
    return CoreBackendSpec.model_validate(data)


def _spent(outcome: AgentOutcome, requests: int, tokens: int) -> AgentOutcome:
    outcome.report.requests, outcome.report.prompt_tokens = requests, tokens
    outcome.report.cost_usd = 0.001 * requests
    return outcome


def test_an_equal_core_answer_keeps_the_speculative_spec_for_blueprint_and_llm() -> None:
    early, real = _inputs(_declared_core().model_copy(deep=True))
    spec = SECURITY.blueprint(early)
    assert speculation_holds(SECURITY, spec, early, real, llm=False)
    assert speculation_holds(SECURITY, spec, early, real, llm=True)


def test_a_core_answer_with_another_field_asks_again_and_counts_both_attempts() -> None:
    early, real = _inputs(_with_extra_field(_declared_core()))
    first = _spent(blueprint_outcome(SECURITY, early), 2, 300)
    asked_on: list[Mapping[str, SlotSpec]] = []

    def run(upstream: Mapping[str, SlotSpec]) -> AgentOutcome:
        asked_on.append(upstream)
        return _spent(blueprint_outcome(SECURITY, real), 1, 200)

    assert not speculation_holds(SECURITY, first.spec, early, real, llm=True)
    settled = settle(SECURITY, first, early, real, run, llm=True)
    assert asked_on == [real.upstream]
    report: AgentReport = settled.report
    assert (report.requests, report.prompt_tokens, report.cost_usd) == (3, 500, 0.003)
