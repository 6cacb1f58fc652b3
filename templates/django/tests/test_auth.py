"""Sign-in with a password gives a bearer token; bad credentials and tokens get 401."""

from collections.abc import Callable

import pytest
from django.test import Client

from security.auth import hash_password
from security.models import User
from security.permissions import REGISTRATION_OPEN

JSON = "application/json"


@pytest.mark.django_db
def test_a_password_gets_a_token_that_signs_in(client: Client) -> None:
    User.objects.create(email="ada@example.com", hashed_password=hash_password("p" * 16), role="r")
    body = {"email": "ada@example.com", "password": "p" * 16}
    response = client.post("/auth/token", body, content_type=JSON)
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"


@pytest.mark.django_db
def test_a_wrong_password_gets_401(client: Client) -> None:
    User.objects.create(email="ada@example.com", hashed_password=hash_password("p" * 16), role="r")
    body = {"email": "ada@example.com", "password": "q" * 16}
    assert client.post("/auth/token", body, content_type=JSON).status_code == 401


@pytest.mark.django_db
def test_a_forged_token_gets_401(client: Client) -> None:
    response = client.get("/auth/me", headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 401


@pytest.mark.django_db
def test_registration_follows_the_security_spec(client: Client) -> None:
    body = {"email": "new@example.com", "password": "n" * 32}
    response = client.post("/auth/register", body, content_type=JSON)
    assert response.status_code == (202 if REGISTRATION_OPEN else 403)
    assert User.objects.filter(email="new@example.com").exists() == REGISTRATION_OPEN


@pytest.mark.django_db
def test_only_an_administrator_creates_accounts(
    client: Client, token_of: Callable[[str], dict[str, str]]
) -> None:
    body = {"email": "made@example.com", "password": "m" * 32, "role": "nobody"}
    response = client.post("/admin/users", body, content_type=JSON, headers=token_of("nobody"))
    assert response.status_code == 403
