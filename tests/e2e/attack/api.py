"""An HTTP client of a running generated backend, driven by its specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.attack.specs import Specs, body_of


@dataclass
class Api:
    """Calls a running backend as one signed-in user (or anonymously)."""

    base_url: str
    specs: Specs
    headers: dict[str, str] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        """A client of the server with this user's headers."""
        return httpx.Client(base_url=self.base_url, headers=self.headers, timeout=30)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request."""
        with self.client() as client:
            return client.request(method, path, **kwargs)

    def sign_in(self, email: str, password: str) -> Api:
        """Return the API as the user with these credentials (the sign-in must succeed)."""
        response = self.call("POST", "/auth/token", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        return Api(self.base_url, self.specs, {"Authorization": f"Bearer {token}"})

    def body(self, entity: str, **overrides: Any) -> dict[str, Any]:
        """A create body of ``entity``, creating fresh records it requires first."""
        body = body_of(self.specs, entity)
        for relationship in self.specs.entity(entity)["relationships"]:
            column = relationship["column"]
            if column not in overrides and relationship["required"]:
                body[column] = self.create(relationship["target"])["id"]
        return body | overrides

    def create(self, entity: str, **overrides: Any) -> dict[str, Any]:
        """Create a record of ``entity`` and, first, fresh records it requires."""
        response = self.call("POST", self.specs.route(entity), json=self.body(entity, **overrides))
        assert response.status_code == 201, f"{entity}: {response.status_code} {response.text}"
        created: dict[str, Any] = response.json()
        return created

    def create_owned(self, entity: str, via: list[str], principal_id: int) -> dict[str, Any]:
        """Create a record of ``entity`` whose ownership path leads to ``principal_id``."""
        first = next(r for r in self.specs.entity(entity)["relationships"] if r["name"] == via[0])
        parent = (
            self.create_owned(first["target"], via[1:], principal_id)["id"]
            if via[1:]
            else principal_id
        )
        return self.create(entity, **{first["column"]: parent})
