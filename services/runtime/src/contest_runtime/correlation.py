"""Correlation ids: taken from the request's ``X-Correlation-Id`` (or made) and returned.

Kept apart from the service composition root so that a process that talks to no broker or
store (the portal) uses it without importing Kafka and MongoDB code.
"""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest_runtime.logs import correlation_id

CORRELATION_HEADER = "X-Correlation-Id"


class CorrelationIdMiddleware:
    """Takes ``X-Correlation-Id`` from the request (or makes one) and returns it.

    Plain ASGI rather than ``BaseHTTPMiddleware`` so that the context variable set here is
    visible to the route and to its logs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER.lower().encode())
        value = incoming.decode("latin-1")[:128] if incoming else str(uuid.uuid4())
        token = correlation_id.set(value)
        scope["correlation_id"] = value
        header = CORRELATION_HEADER.lower().encode()

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == header for name, _ in headers):
                    headers.append((header, value.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            correlation_id.reset(token)
