"""How service errors become HTTP responses, and how routes document them."""

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.schemas.common import ErrorMessage
from core.services.errors import InvalidReferenceError, NotFoundError, ServiceError
from security.encryption.fields import FieldDecryptionError

logger = logging.getLogger(__name__)

# FastAPI adds the 422 response (validation errors) to every route with parameters itself.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_400_BAD_REQUEST: {"model": ErrorMessage, "description": "Malformed request"},
    status.HTTP_401_UNAUTHORIZED: {"model": ErrorMessage, "description": "Not authenticated"},
    status.HTTP_403_FORBIDDEN: {"model": ErrorMessage, "description": "Not allowed"},
    status.HTTP_404_NOT_FOUND: {"model": ErrorMessage, "description": "No such record"},
    status.HTTP_409_CONFLICT: {"model": ErrorMessage, "description": "Clashes with stored data"},
}
"""Error responses every entity route declares in the OpenAPI document."""


def _service_error(_request: Request, error: Exception) -> JSONResponse:
    """Answer a service error: 422 for a bad reference, 404 for a missing record, else 409."""
    if isinstance(error, InvalidReferenceError):
        # Same shape as FastAPI's own validation errors, so clients handle one format.
        detail = {
            "type": "missing_reference",
            "loc": ["body", error.field],
            "msg": str(error),
            "input": error.record_id,
        }
        return JSONResponse({"detail": [detail]}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    code = (
        status.HTTP_404_NOT_FOUND if isinstance(error, NotFoundError) else status.HTTP_409_CONFLICT
    )
    return JSONResponse({"detail": str(error)}, status_code=code)


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    """Answer 422 with where and why, never echoing the submitted input back."""
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    detail = [{key: e[key] for key in ("type", "loc", "msg") if key in e} for e in errors]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _undecryptable(_request: Request, _error: Exception) -> JSONResponse:
    """Answer 500 without internals when a stored value fails its integrity check."""
    logger.error("a stored encrypted value failed its integrity check")
    return JSONResponse(
        {"detail": "A stored value could not be read"},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    """Answer 500 with a fixed message; the details go to the log only."""
    logger.error("unhandled error", exc_info=error)
    return JSONResponse(
        {"detail": "Internal server error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def install_error_handlers(app: FastAPI) -> None:
    """Turn errors into 404, 409, 422 and internals-free 500 responses."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FieldDecryptionError, _undecryptable)
    app.add_exception_handler(Exception, _unexpected)
