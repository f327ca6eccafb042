"""Fixtures of the notifications tests: a local SMTP server, a local SMS provider, and a
running notifications service sending to them."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from httpx import AsyncClient

from contest_contracts.topics import NOTIFICATION_OUTCOMES
from contest_notifications.app import create_app
from contest_notifications.context import NotificationsContext
from contest_notifications.domain.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_valid,
)
from contest_notifications.settings import NotificationsSettings
from contest_runtime.auth import AuthSettings
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    """Address → how many more messages to it to refuse with a temporary error."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message (or refuse it for now)."""
        (address,) = envelope.rcpt_tos
        if self.failures.get(address, 0) > 0:
            self.failures[address] -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """Messages to one address."""
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on a loopback port (in its own thread), and its port."""
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@dataclass
class SmsProvider:
    """A provider-style JSON API on a loopback port that records what it is asked to send,
    and fails when told to."""

    received: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    """Phone number → how many more requests for it to refuse with 503."""
    api_key: str = "provider-key-of-the-tests"

    def app(self) -> FastAPI:
        """The provider's API."""
        api = FastAPI()

        @api.post("/messages")
        async def send(request: Request) -> JSONResponse:
            if request.headers.get("Authorization") != f"Bearer {self.api_key}":
                return JSONResponse({"error": "unauthorised"}, status_code=401)
            body = await request.json()
            if self.failures.get(body["to"], 0) > 0:
                self.failures[body["to"]] -= 1
                return JSONResponse({"error": "try later"}, status_code=503)
            self.received.append(body)
            return JSONResponse({"id": str(uuid.uuid4())}, status_code=202)

        return api

    def to(self, phone: str) -> list[dict[str, Any]]:
        """Messages accepted for one number."""
        return [m for m in self.received if m["to"] == phone]


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def sms_provider() -> AsyncIterator[tuple[SmsProvider, int]]:
    """The local SMS provider, served by a real HTTP server, and its port."""
    provider = SmsProvider()
    async with _serving(provider.app()) as port:
        yield provider, port


@dataclass
class WebhookReceiver:
    """A regional system's endpoint on a loopback port: checks each signature, records what
    it accepted, and fails when told to."""

    secret: str = "webhook-secret-of-the-regional-system-tests"
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    """Path → how many more requests to refuse with 500."""

    def app(self) -> FastAPI:
        """The receiver's API: any path."""
        api = FastAPI()

        @api.post("/{path:path}")
        async def receive(path: str, request: Request) -> JSONResponse:
            body = await request.body()
            stamp = int(request.headers[TIMESTAMP_HEADER])
            if not signature_valid(self.secret, stamp, body, request.headers[SIGNATURE_HEADER]):
                return JSONResponse({"error": "bad signature"}, status_code=401)
            if self.failures.get(path, 0) > 0:
                self.failures[path] -= 1
                return JSONResponse({"error": "down"}, status_code=500)
            self.received.append(({"path": path, **request.headers}, body))
            return Response(status_code=204)

        return api

    def at(self, path: str) -> list[tuple[dict[str, str], bytes]]:
        """What one path accepted."""
        return [r for r in self.received if r[0]["path"] == path]


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def webhook_receiver() -> AsyncIterator[tuple[WebhookReceiver, int]]:
    """The local webhook receiver, served by a real HTTP server, and its port."""
    receiver = WebhookReceiver()
    async with _serving(receiver.app()) as port:
        yield receiver, port


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[int]:
    listening = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield listening.getsockname()[1]
    finally:
        server.should_exit = True
        await serving


@dataclass
class RunningNotifications:
    """A running notifications service, an HTTP client, the channels it sends to, and the
    other services' voice."""

    app: FastAPI
    http: AsyncClient
    mailbox: Mailbox
    sms: SmsProvider
    webhooks: WebhookReceiver
    webhooks_url: str
    outside: EventPublisher
    outcomes: Any

    @property
    def context(self) -> NotificationsContext:
        """The service's stores (for looking behind the API in tests)."""
        context: NotificationsContext = self.app.state.context
        return context


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def notifications(
    infra_settings: InfraSettings,
    auth_settings: AuthSettings,
    app_client: Any,
    recording: Callable[..., Awaitable[Any]],
    mailbox: tuple[Mailbox, int],
    sms_provider: tuple[SmsProvider, int],
    webhook_receiver: tuple[WebhookReceiver, int],
) -> AsyncIterator[RunningNotifications]:
    """One notifications service for the notifications tests."""
    box, smtp_port = mailbox
    provider, sms_port = sms_provider
    receiver, receiver_port = webhook_receiver
    outcomes = await recording(NOTIFICATION_OUTCOMES)
    name = f"notifications-{uuid.uuid4().hex[:8]}"
    settings = NotificationsSettings(
        mongodb_database=name,
        consumer_group=name,
        infra=infra_settings,
        auth=auth_settings,
        smtp_port=smtp_port,
        message_id_domain="notifications.example.kz",
        email_opt_out_url="https://konkurs.example.kz/opt-out/{recipient_id}",
        sms_url=f"http://127.0.0.1:{sms_port}/messages",
        sms_api_key=provider.api_key,
        # From the beginning: a test's first event must not race the new group's reading of
        # where the topics end.
        history=True,
        max_attempts=3,
        retry_base_s=0.2,
        retry_cap_s=0.5,
        dispatch_interval_s=0.1,
    )
    broker = make_broker(infra_settings, client_id="other-services")
    await broker.start()
    app = create_app(settings)
    async with app_client(app) as http:
        outside = EventPublisher(broker, source="/contest/voting")
        yield RunningNotifications(
            app,
            http,
            box,
            provider,
            receiver,
            f"http://127.0.0.1:{receiver_port}",
            outside,
            outcomes,
        )
    await broker.stop()
