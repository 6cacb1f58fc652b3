"""Every string, list and map in the agents' output schemas is bounded.

Grammar-constrained decoding (llama.cpp, vLLM) only ends quickly when the schema bounds every
string and collection; an unbounded one lets a small model run on until max_tokens.
"""

from __future__ import annotations

from typing import Any

import pytest

from backendgen.agents.registry import AGENTS


def _unbounded(node: Any, path: str, defs: dict[str, Any], seen: set[str]) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                found += _unbounded(defs[name], name, defs, seen)
            return found
        kind = node.get("type")
        if kind == "string" and not {"maxLength", "enum", "const", "format"} & set(node):
            found.append(f"string {path}")
        if kind == "array" and "maxItems" not in node:
            found.append(f"array {path}")
        if kind == "object" and "additionalProperties" in node and "maxProperties" not in node:
            found.append(f"map {path}")
        for key, value in node.items():
            if key != "$defs":
                found += _unbounded(value, f"{path}.{key}", defs, seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unbounded(value, f"{path}[{index}]", defs, seen)
    return found


@pytest.mark.parametrize("agent", AGENTS, ids=[a.name for a in AGENTS])
def test_output_schema_is_bounded(agent: Any) -> None:
    schema = agent.spec_type.model_json_schema()
    assert _unbounded(schema, agent.name, schema.get("$defs", {}), set()) == []


def test_the_check_finds_an_unbounded_string() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "array"}}}
    assert _unbounded(schema, "s", {}, set()) == ["string s.properties.x", "array s.properties.y"]
