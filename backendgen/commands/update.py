"""The ``backendgen update`` sub-command (see :mod:`backendgen.generator.update`)."""

from __future__ import annotations

from typing import Any


def add_parsers(commands: Any) -> None:
    """Register ``update`` on the CLI's sub-parsers (filled in by the update work)."""
    del commands
