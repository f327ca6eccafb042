"""Email through an SMTP server (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage

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
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout_s = starttls, timeout_s

    async def send(self, address: str, message: Message, delivery_key: str) -> None:
        """Hand the email to the server; raises when it is not accepted."""
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = address
        email["Subject"] = message.subject
        # The delivery key as Message-ID: a resend after a crash can be recognised.
        email["Message-ID"] = f"<{delivery_key.replace('/', '.')}@contest-notifications>"
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
