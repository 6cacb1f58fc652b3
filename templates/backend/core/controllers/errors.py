"""How service errors become HTTP responses, and how routes document them."""

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from core.schemas.common import ErrorMessage
from core.services.errors import InvalidReferenceError, NotFoundError, ServiceError

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


def install_error_handlers(app: FastAPI) -> None:
    """Turn the services' errors into 404, 409 and 422 responses."""
    app.add_exception_handler(ServiceError, _service_error)
