"""Fixtures: an HTTP client, and bearer tokens of users of any role."""

from collections.abc import Callable

import pytest
from django.test import Client

from security.auth import hash_password, issue_token
from security.models import User


@pytest.fixture
def client() -> Client:
    """Django's test client (requests go through the whole middleware chain)."""
    return Client()


@pytest.fixture
def token_of(db: None) -> Callable[[str], dict[str, str]]:
    """Return the Authorization header of a new user of a role."""
    made: dict[str, dict[str, str]] = {}

    def make(role: str) -> dict[str, str]:
        if role not in made:
            user = User.objects.create(
                email=f"{role}@example.com", hashed_password=hash_password("x" * 16), role=role
            )
            made[role] = {"Authorization": f"Bearer {issue_token(user)[0]}"}
        return made[role]

    return make
