"""Sign-up, sign-in and the current user (``/auth/...``), user administration (``/admin/users``)."""

import contextlib
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import ConfigDict, Field

from core.json_types import Email
from security.auth import (
    authenticate,
    bearer,
    current_user,
    hash_password,
    issue_token,
)
from security.models import User
from security.permissions import (
    ADMIN_ROLE,
    DEFAULT_ROLE,
    PASSWORD_MIN_LENGTH,
    REGISTRATION_OPEN,
    ROLES,
)

PASSWORD_MAX_LENGTH = 1024
"""Longest password accepted, so that hashing cannot be used to exhaust the CPU."""

REGISTRATION_ACCEPTED = "If the address can be registered, its account is ready: sign in."

auth_router = Router(tags=["auth"])
admin_router = Router(tags=["admin"], auth=bearer)


class Strict(Schema):
    """A request body: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    """A sign-up."""

    email: Email = Field(description="E-mail address, used to sign in.")
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)


class TokenRequest(Strict):
    """Credentials exchanged for an access token."""

    email: str = Field(min_length=3, max_length=320, description="E-mail address.")
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH, description="Password.")


class Detail(Schema):
    """A one-line answer."""

    detail: str


class TokenResponse(Schema):
    """An access token."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105  (the token scheme, not a secret)
    expires_in: int = Field(description="Lifetime of the token in seconds.")


class UserPublic(Schema):
    """A user as shown to clients."""

    id: int
    email: str
    role: str
    is_active: bool
    principal_id: int | None = Field(
        default=None, description="Record this user stands for, for roles limited to their rows."
    )


class UserCreate(Strict):
    """An account an administrator creates."""

    email: Email
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    role: str = Field(
        min_length=1,
        max_length=48,
        description="One of the declared roles.",
        json_schema_extra={"enum": list(ROLES)} if ROLES else None,
    )
    principal_id: int | None = Field(default=None, ge=1, le=2147483647)


@auth_router.post("/register", response={202: Detail, 403: Detail})
def register(request: HttpRequest, body: RegisterRequest) -> Status[Any]:
    """Sign up with the default role (the same answer whether or not the address is known)."""
    if not REGISTRATION_OPEN:
        return Status(403, {"detail": "Registration is closed: an administrator creates accounts"})
    email = str(body.email).strip().lower()
    if not User.objects.filter(email=email).exists():
        # Registered concurrently: the answer stays the same.
        with contextlib.suppress(IntegrityError):
            User.objects.create(
                email=email, hashed_password=hash_password(body.password), role=DEFAULT_ROLE
            )
    return Status(202, {"detail": REGISTRATION_ACCEPTED})


@auth_router.post("/token", response={200: TokenResponse, 401: Detail})
def token(request: HttpRequest, body: TokenRequest) -> Status[Any]:
    """Exchange an e-mail address and password for an access token."""
    user = authenticate(body.email, body.password)
    if user is None:
        return Status(401, {"detail": "Incorrect e-mail address or password"})
    access, lifetime = issue_token(user)
    return Status(200, {"access_token": access, "token_type": "bearer", "expires_in": lifetime})


@auth_router.get("/me", response=UserPublic, auth=bearer)
def me(request: HttpRequest) -> User:
    """Return the signed-in user."""
    return current_user(request)


def _require_admin(request: HttpRequest) -> None:
    if ADMIN_ROLE is None or current_user(request).role != ADMIN_ROLE:
        raise HttpError(403, "Forbidden")


@admin_router.get("", response=list[UserPublic])
def list_users(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[User]:
    """List accounts (administrators only)."""
    _require_admin(request)
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    return list(User.objects.order_by("id")[offset : offset + limit])


@admin_router.post("", response={201: UserPublic, 409: Detail})
def create_user(request: HttpRequest, body: UserCreate) -> Status[Any]:
    """Create an account with a declared role (administrators only)."""
    _require_admin(request)
    if ROLES and body.role not in ROLES:
        problem = {
            "type": "enum",
            "loc": ["body", "body", "role"],
            "msg": f"unknown role; one of {', '.join(ROLES)}",
        }
        raise ValidationError([problem])
    try:
        user = User.objects.create(
            email=str(body.email).strip().lower(),
            hashed_password=hash_password(body.password),
            role=body.role,
            principal_id=body.principal_id,
        )
    except IntegrityError:
        return Status(409, {"detail": "An account with this address exists"})
    return Status(201, user)
