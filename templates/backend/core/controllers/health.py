"""Liveness and readiness probes."""

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core.controllers.deps import SessionDep

router = APIRouter(tags=["Health"])


class HealthStatus(BaseModel):
    """Outcome of a probe."""

    status: str


@router.get("/health")
def health() -> HealthStatus:
    """Report that the process is up (liveness)."""
    return HealthStatus(status="ok")


@router.get(
    "/ready",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": HealthStatus}},
)
def ready(session: SessionDep, response: Response) -> HealthStatus:
    """Report whether the database answers (readiness)."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return HealthStatus(status="unavailable")
    return HealthStatus(status="ready")
