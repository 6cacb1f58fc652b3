"""PCI DSS: card numbers (PANs) are refused wherever a client writes free text.

A PAN is 13 to 19 digits, written together or grouped with spaces or dashes, that starts
with the major industry identifier of a payment card network (2 to 6: Mastercard, American
Express, Visa, Discover, UnionPay...) and passes the Luhn check. Digits next to further digits
belong to a longer number and are not a PAN. The API answers 422 without echoing the value, so a card number pasted into a memo or a
token field is neither stored nor logged nor returned.

The guarded fields of a body are its free-text fields (strings without a pattern) and its
cardholder-data fields (a card token); a field whose pattern fixes another format (an IBAN,
a phone number) is not guarded, as its digits may pass the Luhn check by chance.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final, Self

from pydantic import model_validator

from core.schemas.common import RequestModel

PAN_MIN_DIGITS: Final = 13
"""Fewest digits of a card number (ISO/IEC 7812)."""

PAN_MAX_DIGITS: Final = 19
"""Most digits of a card number."""

_CANDIDATE: Final = re.compile(r"(?<![0-9])[0-9](?:[ -]{0,2}[0-9]){12,}(?![0-9])")
"""A run of at least 13 digits, up to two spaces or dashes allowed between two of them."""

CARD_NETWORK_DIGITS: Final = frozenset("23456")
"""First digits (major industry identifiers) of payment card numbers."""


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def holds_card_number(text: str) -> bool:
    """Whether ``text`` contains a PAN-like number (13-19 digits of a card network, Luhn)."""
    for match in _CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if (
            PAN_MIN_DIGITS <= len(digits) <= PAN_MAX_DIGITS
            and digits[0] in CARD_NETWORK_DIGITS
            and luhn_valid(digits)
        ):
            return True
    return False


class CardNumberGuard(RequestModel):
    """Request bodies whose text fields may not hold a card number (mixed into each schema)."""

    card_number_fields: ClassVar[frozenset[str]] = frozenset()
    """The fields checked: every free-text and cardholder-data field of the body."""

    @model_validator(mode="after")
    def _refuse_card_numbers(self) -> Self:
        """Refuse the body when a string field holds a PAN; name the fields, not the value."""
        names = [
            name
            for name, value in self.__dict__.items()
            if name in self.card_number_fields
            and isinstance(value, str)
            and holds_card_number(value)
        ]
        if names:
            msg = f"a card number (PAN) may not be stored in {', '.join(sorted(names))}"
            raise ValueError(msg)
        return self
