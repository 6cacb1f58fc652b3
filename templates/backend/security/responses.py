"""Error responses of the security routes, declared so that the OpenAPI document lists them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    """Body of an error response."""

    detail: str = Field(description="What went wrong, for people.")


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
    return {code: {"model": ErrorDetail, "description": _DESCRIPTIONS[code]} for code in codes}
