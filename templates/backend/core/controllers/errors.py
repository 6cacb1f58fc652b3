"""How errors become RFC 9457 ``application/problem+json`` responses, one shape for all.

Every error body has ``type``, ``title``, ``status``, ``detail`` and ``instance``; a 422 adds
``errors``, one entry per invalid part of the request. A missing record is a 404; a unique
value already taken, a record still referenced, or a reference to a record that does not
exist is a 409 (the last with ``errors`` naming the field), as is a status change the
entity's life cycle forbids; a broken business rule is a 422 naming the rule and its fields.
Anything unexpected becomes a 500 whose details go to the log only.
"""

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from core.schemas.common import FieldError, Problem, ValidationProblem
from core.services.errors import (
    InvalidReferenceError,
    NotFoundError,
    RuleViolationError,
    ServiceError,
    TransitionError,
)
from security.encryption.fields import FieldDecryptionError

logger = logging.getLogger(__name__)

_INTERNAL = re.compile(r"[\[\](]|^(function-|constrained-)")
"""Parts of a pydantic error location that name a validator, not a field."""

PROBLEM_JSON = "application/problem+json"
"""Media type of every error response (RFC 9457)."""

_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
"""Reason phrases RFC 9110 renamed (older Pythons still spell the old ones)."""

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_401_UNAUTHORIZED: {"description": "Not authenticated"},
    status.HTTP_403_FORBIDDEN: {"description": "Not allowed"},
    status.HTTP_404_NOT_FOUND: {"description": "No such record"},
    status.HTTP_409_CONFLICT: {"description": "Clashes with stored data"},
}
"""Error responses every entity route declares (the body is added by the OpenAPI builder)."""


class ProblemResponse(JSONResponse):
    """A JSON response served as ``application/problem+json``."""

    media_type = PROBLEM_JSON


def problem_response(
    request: Request,
    code: int,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    """Build the problem response of ``code`` for ``request``.

    Args:
        request: The request that failed (its path becomes ``instance``).
        code: HTTP status code.
        detail: What went wrong, for people; never internals.
        errors: The invalid parts of the request, for a 422.
        headers: Extra response headers (``WWW-Authenticate``, ``Retry-After``, ``Allow``).

    Returns:
        The response to send.
    """
    fields: dict[str, Any] = {
        "title": _TITLES.get(code) or HTTPStatus(code).phrase,
        "status": code,
        "detail": detail,
        "instance": request.url.path,
    }
    body = ValidationProblem(errors=errors, **fields) if errors is not None else Problem(**fields)
    return ProblemResponse(body.model_dump(mode="json"), status_code=code, headers=headers)


HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
"""Methods a 405's ``Allow`` may name."""


def _allowed_methods(request: Request) -> str:
    """List every method some route serves on the request's path (for a 405's ``Allow``).

    Each method is tried against the application's routes as the router would, so routes of
    included routers count too, however the framework nests them.
    """
    routes = request.app.router.routes
    allowed = [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def _http_error(request: Request, error: Exception) -> ProblemResponse:
    """Answer an HTTP error raised by a route, a dependency or the router itself."""
    if not isinstance(error, StarletteHTTPException):
        return _unexpected(request, error)
    headers = dict(error.headers or {})
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(request)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    return problem_response(request, error.status_code, detail, headers=headers or None)


def _service_error(request: Request, error: Exception) -> ProblemResponse:
    """Answer a service error: 404, 422 for a broken business rule, else 409.

    A missing record is a 404; a forbidden status change, like any other clash with stored
    data, a 409 (with the field if any).

    A reference to a record that does not exist is well-formed (it matches the schema), so it
    is a conflict with the stored data, not a 422.
    """
    if isinstance(error, InvalidReferenceError):
        field = FieldError(type="missing_reference", loc=["body", error.field], msg=str(error))
        return problem_response(request, status.HTTP_409_CONFLICT, str(error), errors=[field])
    if isinstance(error, RuleViolationError):
        fields = [
            FieldError(type="business_rule", loc=["body", name], msg=error.rule)
            for name in error.fields
        ]
        return problem_response(
            request, status.HTTP_422_UNPROCESSABLE_CONTENT, str(error), errors=fields
        )
    if isinstance(error, TransitionError):
        field = FieldError(type="forbidden_transition", loc=["body", error.field], msg=str(error))
        return problem_response(request, status.HTTP_409_CONFLICT, str(error), errors=[field])
    code = (
        status.HTTP_404_NOT_FOUND if isinstance(error, NotFoundError) else status.HTTP_409_CONFLICT
    )
    return problem_response(request, code, str(error))


def _location(loc: Any) -> list[str | int]:
    """Where an error is, without the validator names pydantic adds for constrained unions."""
    return [part for part in loc if isinstance(part, int) or not _INTERNAL.search(str(part))]


def _validation_error(request: Request, error: Exception) -> ProblemResponse:
    """Answer 422 with where and why, never echoing the submitted input back."""
    found = error.errors() if isinstance(error, RequestValidationError) else []
    errors = [FieldError(type=str(e["type"]), loc=list(e["loc"]), msg=str(e["msg"])) for e in found]
    return problem_response(
        request,
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        "The request does not match the published schema",
        errors=errors,
    )


def _undecryptable(request: Request, _error: Exception) -> ProblemResponse:
    """Answer 500 without internals when a stored value fails its integrity check."""
    logger.error("a stored encrypted value failed its integrity check")
    return problem_response(
        request, status.HTTP_500_INTERNAL_SERVER_ERROR, "A stored value could not be read"
    )


def _unexpected(request: Request, error: Exception) -> ProblemResponse:
    """Answer 500 with a fixed message; the details go to the log only."""
    logger.error("unhandled error", exc_info=error)
    return problem_response(request, status.HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Turn every error into a problem response: 4xx as raised, internals-free 500s."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FieldDecryptionError, _undecryptable)
    app.add_exception_handler(Exception, _unexpected)
