"""Sample strings for patterned fields match their pattern and length bounds."""

from __future__ import annotations

import re

import pytest

from backendgen.agents.blueprints.regex_example import example_matching

PATTERNS = [
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    r"^[A-Z]{2}\d{4}$",
    r"[a-z]+(-[a-z]+)*",
    r"^(foo|bar)baz$",
    r"^\+?[0-9 ]{7,15}$",
    r"^(?=.*\d)[a-z0-9]{8,}$",
    r"^[^0-9]{3}$",
    r"(ab)\1",
    r"(?>a+)b",
    r"^\w+\.\W\S\s\D$",
    r"^[A-Z][a-z]*(?: [A-Z][a-z]*)*$",
    r"(?i)^[a-f0-9]{8}-[a-f0-9]{4}$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize(("low", "high"), [(None, None), (6, 40), (12, None)])
def test_the_example_fullmatches_within_bounds(
    pattern: str, low: int | None, high: int | None
) -> None:
    example = example_matching(pattern, low, high)
    if example is None:  # only when the bounds leave no room, e.g. a fixed-length pattern
        fixed = example_matching(pattern)
        assert fixed is not None
        assert (low is not None and len(fixed) < low) or (high is not None and len(fixed) > high)
        return
    assert re.fullmatch(pattern, example)
    assert low is None or len(example) >= low
    assert high is None or len(example) <= high


@pytest.mark.parametrize(
    ("pattern", "low", "high"),
    [
        (r"a{5}", None, 3),  # too long for the bound
        (r"(?!a)a", None, None),  # unsatisfiable
        (r"[", None, None),  # not a regex
        (r"^ab$", 3, None),  # too short for the bound
    ],
)
def test_impossible_requests_give_none(pattern: str, low: int | None, high: int | None) -> None:
    assert example_matching(pattern, low, high) is None
