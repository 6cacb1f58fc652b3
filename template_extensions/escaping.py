r"""Jinja extension of the backendgen template: ``tojson`` that is safe in Python, YAML and JSON.

Jinja's ``tojson`` escapes every non-ASCII character, and characters outside the Basic
Multilingual Plane become JSON surrogate pairs (``\\ud83d\\ude00``): valid JSON, but in a
Python string literal or a YAML double-quoted scalar they decode to two lone surrogates that
crash on output. This extension keeps those characters raw (UTF-8) and escapes the rest as
before, so one filter yields a literal valid in all three languages. It is loaded through
copier-template-extensions (``pip install copier-template-extensions``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

_NEEDS_ESCAPE = re.compile("[\u007f-\uffff]")
"""Characters json.dumps(ensure_ascii=False) leaves raw but we escape: DEL, C1 controls, line
and paragraph separators, bidirectional marks and every other non-ASCII BMP character
(ASCII-only output also keeps linters' confusable-character rules quiet)."""


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_json_dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` with astral characters raw and everything else non-ASCII escaped."""
    kwargs["ensure_ascii"] = False
    return _NEEDS_ESCAPE.sub(_escape, json.dumps(obj, **kwargs))


class EscapingExtension(Extension):
    """Makes ``tojson`` produce literals valid in Python, YAML and JSON alike."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.policies["json.dumps_function"] = safe_json_dumps
