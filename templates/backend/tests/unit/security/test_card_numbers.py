"""Card-number detection (PCI DSS): 13-19 digits passing Luhn, grouped or not."""

from typing import ClassVar

import pytest
from pydantic import ValidationError

from security.policies.card_numbers import CardNumberGuard, holds_card_number, luhn_valid


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111  1111--1111 1111",
        "paid with card 5555 5555 5555 4444, thanks",
        "tok_4111111111111111",
        "378282246310005",
        "4222222222222",
        "6011111111111117000",
    ],
)
def test_card_numbers_are_found(text: str) -> None:
    assert holds_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",
        "0000000000000000",
        "tok_0000000000000000",
        "411111111111",
        "+442071234567",
        "DE89370400440532013000",
        "invoice 2024-01-15, 3 items",
        "",
    ],
)
def test_other_numbers_are_not_card_numbers(text: str) -> None:
    assert not holds_card_number(text)


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


class _Body(CardNumberGuard):
    card_number_fields: ClassVar[frozenset[str]] = frozenset({"memo"})

    memo: str
    iban: str


def test_a_body_holding_a_card_number_is_refused_without_the_number() -> None:
    with pytest.raises(ValidationError) as caught:
        _Body(memo="card 4111 1111 1111 1111", iban="DE89370400440532013000")
    (error,) = caught.value.errors()
    assert "memo" in error["msg"]
    assert "4111" not in error["msg"]


def test_a_body_without_one_is_accepted_and_other_formats_are_not_checked() -> None:
    assert _Body(memo="rent for May", iban="4111111111111111").memo == "rent for May"
