"""Renderers: one per framework, each a template folder plus what the engine must know of it.

A renderer turns the six slot specs into one framework's code. It is data the engine and the
inputs read: the folder under ``templates/`` Copier renders (``_subdirectory`` picks it from the
``framework`` answer), the names its generated code reserves (fed into the one rename policy,
so a domain spells its members the same for every framework), the Jinja extension holding its
filters, what its output offers, and how the scaffold and each slot are rendered.
"""

from __future__ import annotations

from backendgen.renderers.base import Capability, Renderer, SlotRendering
from backendgen.renderers.registry import RENDERERS, renderer_for, reserved_member_names

__all__ = [
    "RENDERERS",
    "Capability",
    "Renderer",
    "SlotRendering",
    "renderer_for",
    "reserved_member_names",
]
