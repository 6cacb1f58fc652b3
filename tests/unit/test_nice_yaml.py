"""The memoised ``to_nice_yaml`` gives the filter's own text, byte for byte."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from jinja2_ansible_filters.core_filters import to_nice_yaml

from backendgen.generator.nice_yaml import nice_yaml

TEXTS = [
    "plain",
    "keeps its newlines\n\n",
    "key: value",
    "- item",
    "line one\nline two\n",
    "\u2028separator",
    "ünïcode",
    "'\"quotes",
    "  leading and trailing  ",
    "#comment",
    "---",
    "...",
    "null",
    "x" * 120,
    "",
]
"""Scalars that change how PyYAML writes them (styles, quoting, folding, end markers)."""


def _mappings() -> list[dict[str, Any]]:
    values: list[Any] = [*TEXTS, 1, 2.5, None, True, [], {}, ["a", {"b": "c\n\n"}]]
    mappings = [
        {"alpha": first, "beta": second, "gamma": {"nested": first}}
        for first, second in itertools.product(values, values[:8])
    ]
    shared = ["one object in two places"]
    mappings.append({"first": shared, "second": shared})  # anchors: the filter's own path
    mappings.append({"b": 1, "a": "z", "c:": "colon key"})
    return mappings


@pytest.mark.parametrize("indent", [2, 4])
def test_every_mapping_emits_as_the_filter_does(indent: int) -> None:
    for mapping in _mappings():
        assert nice_yaml(mapping, indent) == to_nice_yaml(mapping, indent), mapping
        assert nice_yaml(mapping, indent) == to_nice_yaml(mapping, indent), mapping  # kept


def test_values_other_than_mappings_emit_as_the_filter_does() -> None:
    for value in [[1, 2], "text", {}, {1: "integer key"}, ("a", "tuple")]:
        assert nice_yaml(value) == to_nice_yaml(value)
