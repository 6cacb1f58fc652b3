"""The fake OpenAI server works with the real ``openai`` client and real ``instructor``."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, Literal

import instructor
import openai
import pytest
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, Field

from tests.fakes import (
    FakeOpenAI,
    FaultResponder,
    HttpError,
    Payload,
    RawText,
    Router,
    SchemaResponder,
    ScriptedResponder,
    Usage,
    instance_for_schema,
    request_name,
    running_server,
)

MESSAGES: list[Any] = [{"role": "user", "content": "Design the order service."}]


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class Line(BaseModel):
    sku: str = Field(pattern=r"^[A-Z]{3}-\d{4}$")
    quantity: int = Field(ge=1, le=5)


class Order(BaseModel):
    """An order, with enough constraints to make schema-valid data non-trivial."""

    order_id: str = Field(min_length=5, max_length=20)
    kind: Literal["retail", "wholesale"]
    colour: Colour
    note: str | None = None
    lines: list[Line] = Field(min_length=2)
    total: float = Field(gt=0)


class Tree(BaseModel):
    name: str
    children: list[Tree] = Field(default_factory=list)


class Everything(BaseModel):
    when: dt.datetime
    day: dt.date
    ident: uuid.UUID
    tags: dict[str, int]
    pair: tuple[int, str]
    tree: Tree
    maybe_line: Line | None
    slug: str = Field(pattern=r"^[a-z][a-z0-9_]{2,8}$")
    short: str = Field(max_length=3)
    even: int = Field(multiple_of=2, gt=10, lt=15)
    ratio: float = Field(ge=0, le=1)
    flags: list[bool] = Field(min_length=3, max_length=3)
    colours: list[Colour] = Field(min_length=2)


@contextmanager
def instructor_client(
    fake: FakeOpenAI,
    mode: instructor.Mode = instructor.Mode.TOOLS,
    **client_options: Any,
) -> Iterator[Any]:
    """An instructor client on a real, closed-afterwards ``openai.OpenAI`` client."""
    client_options.setdefault("max_retries", 0)
    with fake.client(**client_options) as client:
        yield instructor.from_openai(client, mode=mode)


def create_order(fake: FakeOpenAI, mode: instructor.Mode, **options: Any) -> Order:
    """Ask the fake for an :class:`Order` through instructor."""
    max_reasks = options.pop("max_reasks", 0)
    with instructor_client(fake, mode, **options) as client:
        result: Order = client.chat.completions.create(
            model="gpt-4o-mini",
            response_model=Order,
            messages=list(MESSAGES),
            max_retries=max_reasks,
        )
    return result


# -- protocol --------------------------------------------------------------------------------


def test_tools_mode_returns_a_validated_model() -> None:
    with running_server() as fake:
        order = create_order(fake, instructor.Mode.TOOLS)

        assert isinstance(order, Order)
        assert len(order.lines) >= 2
        [request] = fake.requests
        assert request.body["tool_choice"]["function"]["name"] == "Order"
        assert request_name(request.body) == "Order"
        choice = request.response["choices"][0]  # type: ignore[index]
        assert choice["finish_reason"] == "tool_calls"
        assert choice["message"]["tool_calls"][0]["function"]["name"] == "Order"
        assert request.status == 200


@pytest.mark.parametrize(
    "mode", [instructor.Mode.JSON_SCHEMA, instructor.Mode.JSON, instructor.Mode.MD_JSON]
)
def test_content_modes_return_a_validated_model(mode: instructor.Mode) -> None:
    with running_server(SchemaResponder(overrides={"note": "from the fake"})) as fake:
        order = create_order(fake, mode)

        assert order.note == "from the fake"
        [request] = fake.requests
        assert "tools" not in request.body
        assert request_name(request.body) == "Order"
        assert request.response["choices"][0]["finish_reason"] == "stop"  # type: ignore[index]


def test_raw_client_sees_openai_shaped_completions_and_models() -> None:
    with running_server([{"answer": 42}]) as fake, fake.client(max_retries=0) as client:
        completion = client.chat.completions.create(model="gpt-test", messages=MESSAGES)
        models = client.models.list()

    assert completion.object == "chat.completion"
    assert completion.model == "gpt-test"
    assert completion.id.startswith("chatcmpl-")
    assert completion.choices[0].message.content == '{"answer": 42}'
    assert completion.usage is not None
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert [model.id for model in models] == ["gpt-4o-mini"]


def test_http_errors_have_openai_error_bodies() -> None:
    error = HttpError(400, "context too long", code="context_length_exceeded")
    with (
        running_server([error]) as fake,
        fake.client(max_retries=0) as client,
        pytest.raises(openai.BadRequestError) as raised,
    ):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    assert raised.value.code == "context_length_exceeded"
    assert raised.value.type == "invalid_request_error"
    assert "context too long" in raised.value.message


# -- re-asks ---------------------------------------------------------------------------------


def test_invalid_then_valid_makes_instructor_reask() -> None:
    invalid = {"order_id": "x", "kind": "bulk"}
    with running_server(ScriptedResponder([invalid, SchemaResponder()])) as fake:
        order = create_order(fake, instructor.Mode.TOOLS, max_reasks=2)

        assert isinstance(order, Order)
        first, second = fake.requests
        assert "Validation Error" not in first.text
        assert "Validation Error" in second.text
        assert "order_id" in second.text
        assert "kind" in second.text


def test_garbage_json_makes_instructor_retry() -> None:
    with running_server(FaultResponder.garbage(1)) as fake:
        order = create_order(fake, instructor.Mode.JSON_SCHEMA, max_reasks=2)

        assert isinstance(order, Order)
        assert len(fake.requests) == 2
        assert fake.requests[0].response["choices"][0]["message"]["content"] == (  # type: ignore[index]
            '{"this is": not json'
        )
        assert "Correct your JSON" in fake.requests[1].text


def test_script_routes_by_name_and_reports_exhaustion() -> None:
    script = ScriptedResponder([Payload({"name": "scripted"})], match="Tree")
    responder = Router({"Tree": script})
    with running_server(responder) as fake, instructor_client(fake) as client:
        tree = client.chat.completions.create(model="m", response_model=Tree, messages=MESSAGES)
        order = client.chat.completions.create(model="m", response_model=Order, messages=MESSAGES)
        with pytest.raises(InstructorRetryException) as raised:
            client.chat.completions.create(model="m", response_model=Tree, messages=MESSAGES)

    # instructor wraps API errors; the openai client's error is the cause.
    assert isinstance(raised.value.__cause__, openai.InternalServerError)
    assert "script exhausted" in str(raised.value.__cause__)
    assert (tree.name, tree.children) == ("scripted", [])
    assert isinstance(order, Order)
    assert script.remaining == 0


# -- faults the openai client retries ---------------------------------------------------------


def test_rate_limit_is_retried_after_retry_after() -> None:
    with running_server(FaultResponder.rate_limited(1, retry_after=1)) as fake:
        order = create_order(fake, instructor.Mode.TOOLS, max_retries=2)

        assert isinstance(order, Order)
        limited, served = fake.requests
        assert (limited.status, served.status) == (429, 200)
        assert limited.finished is not None
        assert served.arrived - limited.finished >= 0.9


def test_server_error_is_retried() -> None:
    with running_server(FaultResponder.server_error(1)) as fake:
        order = create_order(fake, instructor.Mode.JSON_SCHEMA, max_retries=2)

        assert isinstance(order, Order)
        assert [r.status for r in fake.requests] == [500, 200]


def test_hang_longer_than_the_timeout_raises_api_timeout_error() -> None:
    with running_server(FaultResponder.hang(2, seconds=30)) as fake:
        with (
            fake.client(max_retries=0, timeout=0.5) as client,
            pytest.raises(openai.APITimeoutError),
        ):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        with pytest.raises(InstructorRetryException) as raised:
            create_order(fake, instructor.Mode.TOOLS, timeout=0.5)

        assert isinstance(raised.value.__cause__, openai.APITimeoutError)
        assert len(fake.requests) == 2
        assert all(request.finished is None for request in fake.requests)


def test_request_limit_answers_500_beyond_it() -> None:
    with running_server(max_requests=1) as fake, fake.client(max_retries=3) as client:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        with pytest.raises(openai.InternalServerError, match="more than 1 requests"):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

        assert len(fake.requests) == 1
        assert fake.rejected == 1


# -- usage, latency, concurrency ----------------------------------------------------------


def test_usage_totals_are_the_sum_of_response_usages() -> None:
    seen = Usage()
    faults = FaultResponder.garbage(1, match="Order")
    with running_server(faults) as fake, fake.client(max_retries=0) as raw:
        for _ in range(2):
            completion = raw.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            assert completion.usage is not None
            seen += Usage(**completion.usage.model_dump(include=set(Usage.__annotations__)))
        assert fake.usage_totals() == seen

        # instructor sums the usage of every attempt (here a garbage answer and its re-ask).
        client = instructor.from_openai(raw, mode=instructor.Mode.TOOLS)
        _, completion = client.chat.completions.create_with_completion(
            model="gpt-4o-mini", response_model=Order, messages=MESSAGES, max_retries=1
        )
        seen += Usage(**completion.usage.model_dump(include=set(Usage.__annotations__)))
        totals = fake.usage_totals()

    assert len(fake.requests) == 4
    assert totals == seen
    assert totals.total_tokens == totals.prompt_tokens + totals.completion_tokens > 0


def test_latency_delays_answers() -> None:
    with running_server(latency=(0.2, 1000)) as fake:
        create_order(fake, instructor.Mode.TOOLS)

        [request] = fake.requests
        assert request.finished is not None
        assert request.finished - request.arrived >= 0.2


def test_concurrent_callers_are_served_concurrently() -> None:
    callers = 4
    start = threading.Barrier(callers)
    errors: list[BaseException] = []

    def call(client: Any) -> None:
        try:
            start.wait(timeout=10)
            client.chat.completions.create(model="m", response_model=Order, messages=MESSAGES)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    with running_server(latency=(0.3, 1e6)) as fake, instructor_client(fake) as client:
        threads = [threading.Thread(target=call, args=(client,)) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert len(fake.requests) == callers
        assert fake.max_concurrency == callers


# -- schema-valid data ---------------------------------------------------------------------


@pytest.mark.parametrize("model", [Order, Tree, Everything])
def test_instances_for_pydantic_schemas_validate(model: type[BaseModel]) -> None:
    instance = instance_for_schema(model.model_json_schema())

    model.model_validate(instance)


def test_unique_items_get_distinct_values() -> None:
    schema = {"type": "array", "items": {"type": "string"}, "minItems": 3, "uniqueItems": True}

    assert len(set(instance_for_schema(schema))) == 3


def test_raw_text_is_sent_verbatim_with_its_finish_reason() -> None:
    truncated = RawText('{"order_id": "abc', finish_reason="length")
    with running_server([truncated]) as fake, instructor_client(fake) as client:
        with pytest.raises(IncompleteOutputException):
            client.chat.completions.create(model="m", response_model=Order, messages=MESSAGES)

        body = fake.requests[0].response
        assert body is not None
        assert body["choices"][0]["finish_reason"] == "length"
        assert body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == (
            '{"order_id": "abc'
        )
