"""A short string that matches a regular expression: sample payloads and erasure placeholders.

The pattern is parsed with Python's own regex parser and walked: literals are kept, each class
gives its first fitting character from a fixed pool (letters first, then again digits first),
each alternation its first branch, each repeat its minimum count (plus a few more when a
length bound asks for it), anchors nothing.
Every candidate is checked with ``re.fullmatch``; a pattern this walk cannot satisfy (say, one
whose lookarounds reject the first choices) gives None.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence

# Python's own regex parser (public as sre_parse before 3.11): the one parser of its syntax.
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

_POOLS = (
    "a0A_-. @" + string.ascii_lowercase + string.digits + string.ascii_uppercase,
    "0aA_-. @" + string.digits + string.ascii_uppercase + string.ascii_lowercase,
)
"""Characters tried, in order, for a character class: letters first, then digits first."""

_TAIL = string.punctuation + "\u00e9"

_CATEGORIES: dict[Any, Callable[[str], bool]] = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}

_MAX_EXTRA = 64
"""Most repetitions added to every repeat to reach a minimum length."""


def _in_class(items: Sequence[tuple[Any, Any]], char: str) -> bool:
    negate, hit = False, False
    for op, arg in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit = hit or ord(char) == arg
        elif op is sre.RANGE:
            hit = hit or arg[0] <= ord(char) <= arg[1]
        elif op is sre.CATEGORY:
            test = _CATEGORIES.get(arg)
            hit = hit or (test is not None and test(char))
    return hit != negate


class _Walker:
    """Emits one string for a parsed pattern, each repeat taken ``extra`` more times."""

    def __init__(self, extra: int, pool: str) -> None:
        self.extra = extra
        self.pool = pool + _TAIL
        self.groups: dict[int, str] = {}

    def emit(self, tokens: Any) -> str:
        return "".join(self._token(op, arg) for op, arg in tokens)

    def _token(self, op: Any, arg: Any) -> str:
        handlers: dict[Any, Callable[[Any], str]] = {
            sre.LITERAL: chr,
            sre.NOT_LITERAL: lambda a: next(c for c in self.pool if ord(c) != a),
            sre.ANY: lambda _: "a",
            sre.IN: lambda a: next((c for c in self.pool if _in_class(a, c)), ""),
            sre.BRANCH: lambda a: self.emit(a[1][0]),
            sre.SUBPATTERN: self._group,
            sre.MAX_REPEAT: self._repeat,
            sre.MIN_REPEAT: self._repeat,
            sre.POSSESSIVE_REPEAT: self._repeat,
            sre.ATOMIC_GROUP: self.emit,
            sre.GROUPREF: lambda a: self.groups.get(a, ""),
        }
        handler = handlers.get(op)
        # Anchors, lookarounds and conditionals emit nothing: fullmatch checks the result.
        return handler(arg) if handler is not None else ""

    def _group(self, arg: Any) -> str:
        number, _add_flags, _del_flags, body = arg
        text = self.emit(body)
        if number is not None:
            self.groups[number] = text
        return text

    def _repeat(self, arg: Any) -> str:
        low, high, body = arg
        count = low + self.extra if high is sre.MAXREPEAT else min(high, low + self.extra)
        return "".join(self.emit(body) for _ in range(count))


def example_matching(
    pattern: str, min_length: int | None = None, max_length: int | None = None
) -> str | None:
    """Return a short string that ``re.fullmatch``-es ``pattern`` within the length bounds.

    Args:
        pattern: A Python regular expression.
        min_length: Fewest characters allowed, if any.
        max_length: Most characters allowed, if any.

    Returns:
        The string, or None when none was found.
    """
    try:
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    for pool in _POOLS:
        for extra in range(_MAX_EXTRA + 1):
            try:
                text = _Walker(extra, pool).emit(parsed)
            except (StopIteration, RecursionError):
                break
            if max_length is not None and len(text) > max_length:
                break  # longer with every extra repetition
            if (min_length is None or len(text) >= min_length) and compiled.fullmatch(text):
                return text
    return None
