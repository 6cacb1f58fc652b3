"""Error responses of the security routes, declared so that the OpenAPI document lists them.

The body of each is the RFC 9457 problem that :mod:`core.controllers.openapi` attaches to
every error response.
"""

from __future__ import annotations

from typing import Any

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or expired access token (or wrong credentials)",
    403: "The caller's role may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    429: "Too many attempts; retry after the Retry-After header's seconds",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses`` mapping of a route for the given error status codes.

    Args:
        *codes: HTTP status codes the route may answer with (validation's 422 is automatic).

    Returns:
        A mapping for the ``responses`` argument of a FastAPI route or router.
    """
    return {code: {"description": _DESCRIPTIONS[code]} for code in codes}
