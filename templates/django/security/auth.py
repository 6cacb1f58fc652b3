"""Bearer tokens (PyJWT, HS256), argon2 password hashes and the permission check."""

import datetime
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from security.models import User
from security.permissions import allowed

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("a password nobody has")
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    """Return whether ``password`` matches ``hashed``."""
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials (constant work for unknown addresses)."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.hashed_password, password) else None


def issue_token(user: User) -> tuple[str, int]:
    """Return a signed access token for ``user`` and its lifetime in seconds."""
    lifetime = int(settings.ACCESS_TOKEN_MINUTES) * 60
    now = datetime.datetime.now(datetime.UTC)
    claims = {
        "sub": str(user.pk),
        "role": user.role,
        "iat": now,
        "exp": now + datetime.timedelta(seconds=lifetime),
    }
    return jwt.encode(claims, settings.JWT_SECRET, algorithm=ALGORITHM), lifetime


class Bearer(HttpBearer):
    """``Authorization: Bearer <token>``: 401 unless it is valid and its user active."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Return the token's user, or None (django-ninja answers 401)."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token, settings.JWT_SECRET, algorithms=[ALGORITHM], options={"require": ["exp"]}
            )
            user_id = int(claims["sub"])
        except (jwt.PyJWTError, KeyError, ValueError):
            return None
        return User.objects.filter(pk=user_id, is_active=True).first()


bearer = Bearer()


class Permission(Bearer):
    """A bearer token whose role may perform one action on one entity: 401, else 403.

    Checked before the body is read, so a role without the permission gets 403 whatever it
    sends (as the FastAPI renderer's dependency does).
    """

    def __init__(self, entity: str, action: str) -> None:
        """Guard ``action`` on ``entity``."""
        super().__init__()
        self.entity = entity
        self.action = action

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Return the token's user when its role is allowed; raise 403 when it is not."""
        user = super().authenticate(request, token)
        if user is not None and not allowed(user.role, self.entity, self.action):
            raise HttpError(403, "Forbidden")
        return user


def current_user(request: HttpRequest) -> User:
    """Return the authenticated user of a request (401 if there is none)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise HttpError(401, "Unauthorized")
    return user
