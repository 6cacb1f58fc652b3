"""Give every request an id, echoed in the ``X-Request-ID`` response header."""

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"

_request_id: ContextVar[str] = ContextVar("request_id", default="")

# A caller's id is kept only when it is short and plain, so it is safe to log.
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def get_request_id() -> str:
    """Return the id of the request being handled ('' outside a request)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Reuse the caller's ``X-Request-ID`` when it is well formed, else make a new one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.lower().encode(), b"").decode("latin-1")
        request_id = given if _ACCEPTED_ID.match(given) else uuid.uuid4().hex
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
