"""Email through an SMTP server (aiosmtplib)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from contest_notifications.domain.templates import Message


class SmtpChannel:
    """Sends each message as one email through the configured SMTP server."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout_s: float,
        message_id_domain: str,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.message_id_domain = message_id_domain
        self.username, self.password = username, password
        self.starttls, self.timeout_s = starttls, timeout_s

    async def send(self, address: str, message: Message, delivery_key: str) -> None:
        """Hand the email to the server; raises when it is not accepted."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = address
        email["Subject"] = message.subject
        email["Date"] = format_datetime(datetime.now(UTC))
        email["Message-ID"] = message_id(delivery_key, self.message_id_domain)
        if message.opt_out_url is not None:
            email["List-Unsubscribe"] = f"<{message.opt_out_url}>"
        email.set_content(message.body)
        email["Content-Language"] = message.language.value  # set_content clears Content-*
        await aiosmtplib.send(
            email,
            hostname=self.host,
            port=self.port,
            # An empty login (as a deployment's unset variable gives) means none.
            username=self.username or None,
            password=self.password or None,
            start_tls=self.starttls,
            timeout=self.timeout_s,
        )


_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]")


def message_id(delivery_key: str, domain: str) -> str:
    """The delivery key as a Message-ID (RFC 5322 ``<left@domain>``), so a resend after a
    crash can be recognised: ``/`` as ``.`` and whatever a left part may not hold (the ``@``
    of an address used as the recipient id) as ``=XX``, the same for the same key."""
    left = _NOT_ATEXT.sub(lambda c: "".join(f"={b:02X}" for b in c[0].encode()), delivery_key)
    left = re.sub(r"\.{2,}", ".", left.replace("/", ".")).strip(".")
    return f"<{left}@{domain}>"
