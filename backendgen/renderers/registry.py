"""The renderers by ``framework`` answer, and the names they reserve together."""

from __future__ import annotations

from functools import cache

from backendgen.errors import UserInputError
from backendgen.renderers.base import Renderer
from backendgen.renderers.frameworks import DJANGO, FASTAPI

RENDERERS: dict[str, Renderer] = {renderer.name: renderer for renderer in (FASTAPI, DJANGO)}
"""Every renderer, keyed by the ``framework`` answer that selects it."""


def renderer_for(framework: str) -> Renderer:
    """Return the renderer of a ``framework`` answer.

    Args:
        framework: The answer (``fastapi``, ``django``).

    Raises:
        UserInputError: For a framework no renderer serves.
    """
    try:
        return RENDERERS[framework]
    except KeyError:
        known = ", ".join(sorted(RENDERERS))
        raise UserInputError(f"framework '{framework}' has no renderer ({known})") from None


@cache
def reserved_member_names() -> frozenset[str]:
    """Return the field and relationship names any renderer's code takes.

    A domain is renamed once, for every framework, so that the backends generated from the
    same answers serve the same API (``objects`` becomes ``objects_value`` for FastAPI too).
    """
    return frozenset().union(*(r.reserved_member_names for r in RENDERERS.values()))
