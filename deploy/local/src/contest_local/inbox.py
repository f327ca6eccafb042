"""The local platform's mail server and SMS provider: one process that accepts every email
(SMTP) and every SMS (the provider JSON API notifications speaks), keeps them in memory and
lets people read them over HTTP, so a voter's one-time code or an applicant's email can be
read on this machine instead of leaving it.

    POST /sms                           the provider API: {"to", "from", "text", "client_ref"}
    GET  /messages?to=&channel=&wait_s= what arrived, oldest first; with ``to`` and
                                        ``wait_s``, waits that long for a first message;
                                        ``to=+7…`` as typed works as well as ``to=%2B7…``

``client_ref`` is notifications' delivery key (an email's ``Message-ID``), so a message sent
again after a crash shows up as a repeat of the same key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI
from pydantic import BaseModel, Field

from contest_local.embedded import LOOPBACK, LocalProcess, free_port

Channel = Literal["sms", "email"]


class InboxMessage(BaseModel):
    """One message as it arrived."""

    channel: Channel
    to: str
    sender: str
    subject: str | None = None
    text: str
    client_ref: str | None = Field(description="The delivery key notifications sent it under.")
    received_at: datetime


class SmsRequest(BaseModel):
    """A send request of the SMS provider API."""

    to: str
    text: str
    client_ref: str | None = None
    sender: str = Field(default="", alias="from")


class Messages:
    """Every message received, and those of each recipient."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.all: list[InboxMessage] = []
        self.by_recipient: defaultdict[str, list[InboxMessage]] = defaultdict(list)
        self._waiting: defaultdict[str, list[asyncio.Future[None]]] = defaultdict(list)

    async def receive(self, message: InboxMessage) -> None:
        """Keep a message, after the configured delay (a slow provider)."""
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.all.append(message)
        self.by_recipient[message.to].append(message)
        for waiter in self._waiting.pop(message.to, []):
            if not waiter.done():
                waiter.set_result(None)

    async def first_for(self, recipient: str, timeout_s: float) -> None:
        """Wait until ``recipient`` has a message, at most ``timeout_s``."""
        if self.by_recipient.get(recipient):
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[recipient].append(waiter)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter, timeout_s)


class MailHandler:
    """aiosmtpd handler: every recipient of an accepted email gets a copy."""

    def __init__(self, messages: Messages) -> None:
        self.messages = messages

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        email = message_from_bytes(raw, policy=policy.default)
        assert isinstance(email, EmailMessage)
        body = email.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        for recipient in envelope.rcpt_tos:
            await self.messages.receive(
                InboxMessage(
                    channel="email",
                    to=recipient,
                    sender=envelope.mail_from or "",
                    subject=email.get("Subject"),
                    text=text,
                    client_ref=email.get("Message-ID"),
                    received_at=datetime.now(UTC),
                )
            )
        return "250 Message accepted"


def inbox_api(messages: Messages) -> FastAPI:
    """The HTTP side: the SMS provider API and reading what arrived. Who may call: anyone on
    this machine (it listens on loopback only and holds test messages)."""
    api = FastAPI(title="Local inbox", docs_url="/docs")

    @api.post("/sms", status_code=202, summary="Send an SMS (provider API).")
    async def send_sms(request: SmsRequest) -> dict[str, bool]:
        await messages.receive(
            InboxMessage(
                channel="sms",
                to=request.to,
                sender=request.sender,
                text=request.text,
                client_ref=request.client_ref,
                received_at=datetime.now(UTC),
            )
        )
        return {"accepted": True}

    @api.get("/messages", summary="Messages received, oldest first.")
    async def received(
        to: str | None = None, channel: Channel | None = None, wait_s: float = 0.0
    ) -> list[InboxMessage]:
        if to is not None:
            # A "+" typed into the address bar arrives as a space (form encoding); no phone
            # number or email address has a space, so both ?to=+7… and ?to=%2B7… find it.
            to = to.replace(" ", "+")
        if to is not None and wait_s > 0:
            await messages.first_for(to, min(wait_s, 60.0))
        found = messages.by_recipient.get(to, []) if to is not None else messages.all
        return [m for m in found if channel is None or m.channel == channel]

    @api.get("/healthz", summary="Liveness.")
    async def alive() -> dict[str, str]:
        return {"status": "ok"}

    return api


async def serve(http_port: int, smtp_port: int, delay_s: float) -> None:
    """Run both sides until cancelled."""
    messages = Messages(delay_s)
    loop = asyncio.get_running_loop()
    mail = await loop.create_server(
        lambda: SMTP(MailHandler(messages), hostname="inbox.local"), LOOPBACK, smtp_port
    )
    config = uvicorn.Config(
        inbox_api(messages), host=LOOPBACK, port=http_port, log_level="warning", lifespan="off"
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        mail.close()


@dataclass
class Inbox:
    """A running (or startable) inbox process and how to reach it."""

    process: LocalProcess
    smtp_port: int

    @property
    def url(self) -> str:
        """Base URL of its HTTP side."""
        return f"http://{self.process.address}"

    def notifications_environment(self) -> dict[str, str]:
        """The settings that point the notifications service at this inbox."""
        return {
            "NOTIFICATIONS_SMTP_HOST": LOOPBACK,
            "NOTIFICATIONS_SMTP_PORT": str(self.smtp_port),
            "NOTIFICATIONS_SMS_URL": f"{self.url}/sms",
        }

    def messages(self, to: str | None = None, channel: Channel | None = None) -> list[Any]:
        """The messages received (as JSON objects), optionally of one recipient or channel."""
        query = urllib.parse.urlencode(
            {k: v for k, v in (("to", to), ("channel", channel)) if v is not None}
        )
        with urllib.request.urlopen(f"{self.url}/messages?{query}", timeout=30) as answer:
            found: list[Any] = json.load(answer)
            return found


def inbox_process(workdir: Path, delay_s: float = 0.0) -> Inbox:
    """The inbox as a local process on free loopback ports (not started)."""
    http_port, smtp_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "contest_local",
        "inbox",
        "--http-port",
        str(http_port),
        "--smtp-port",
        str(smtp_port),
        "--delay-s",
        str(delay_s),
    ]
    process = LocalProcess("inbox", command, http_port, workdir / "inbox.log")
    return Inbox(process, smtp_port)
