"""Base class and shared types for the six slot specs."""

from __future__ import annotations

from backendgen.domain.types import EnumValue, PascalName, ShortText, SnakeName, SpecPart

__all__ = ["EnumValue", "PascalName", "ShortText", "SlotSpec", "SnakeName", "SpecPart"]


class SlotSpec(SpecPart):
    """Base of every agent's slot spec.

    Specs describe the domain, never a framework, so any renderer can use them. They are
    stored in ``.copier-answers.yml`` as ``slot_<agent>`` and must round-trip through
    ``model_dump(mode="json")`` and ``model_validate``.
    """

    schema_version: int = 1
    """Version of this spec's schema; bumped when the shape changes (part of cache keys)."""
