"""Ansible's ``to_nice_yaml`` filter, each top-level entry of a mapping emitted once per run.

The answers file is ``{{ _copier_answers|to_nice_yaml }}``: every agent commit writes it again
with one more slot, and PyYAML's pure-Python emitter spends most of a commit's render on the
entries that did not change (the domain, the earlier slots). A block mapping's YAML is its
entries' YAML one after the other, in key order, each starting at the first column, so each
entry is emitted alone and kept; the result is byte for byte the filter's own. Where that does
not hold (anchors: an object appearing twice; keys that are not all strings; values of other
types than JSON's) the filter runs unchanged. (The filter asks for no block scalar style, so no
entry ends in a document end marker, which only a kept final newline, ``|+``, writes.)
"""

from __future__ import annotations

from typing import Any

from jinja2_ansible_filters.core_filters import to_nice_yaml

PLAIN_TYPES = (str, int, float, bool, type(None))
"""Scalars PyYAML never anchors, and whose ``repr`` names the value and its type."""

MAX_KEPT = 512
"""Most entries kept before the memo starts afresh."""

_kept: dict[tuple[str, int, str], str] = {}


def _plain(value: Any, seen: set[int]) -> bool:
    """Whether ``value`` is JSON-like data in which no container appears twice."""
    kind = type(value)
    if kind in PLAIN_TYPES:
        return True
    if kind not in (dict, list) or id(value) in seen:
        return False
    seen.add(id(value))
    if kind is dict:
        return all(type(key) is str and _plain(item, seen) for key, item in value.items())
    return all(_plain(item, seen) for item in value)


def nice_yaml(data: Any, indent: int = 4, *args: Any, **kwargs: Any) -> str:
    """Return ``to_nice_yaml(data, indent)``, from kept entries where ``data`` allows it.

    Args:
        data: The value to emit.
        indent: The indentation, as the filter takes it.
        *args: Further positional arguments of the filter (they disable the memo).
        **kwargs: Further PyYAML options of the filter (they disable the memo).
    """
    if args or kwargs or type(data) is not dict or not data or not _plain(data, set()):
        return str(to_nice_yaml(data, indent, *args, **kwargs))
    if len(_kept) > MAX_KEPT:
        _kept.clear()
    parts = []
    for key in sorted(data):
        memo = (key, indent, repr(data[key]))
        if memo not in _kept:
            _kept[memo] = str(to_nice_yaml({key: data[key]}, indent))
        parts.append(_kept[memo])
    return "".join(parts)
