"""SMS through a provider's HTTP API: ``POST {url}`` with a JSON body
``{"to", "from", "text", "client_ref"}`` and ``Authorization: Bearer {api key}``; any 2xx
answer is acceptance. An empty key (an unset deployment variable, a provider on a trusted
network such as the local inbox) means none: no ``Authorization`` header, since ``Bearer``
alone is no valid one. ``client_ref`` is the delivery key, so a provider that deduplicates by
it never sends a resent message twice."""

from __future__ import annotations

import httpx

from contest_notifications.domain.templates import Message


class SmsProvider:
    """The adapter to one provider-style JSON API."""

    def __init__(self, http: httpx.AsyncClient, url: str, api_key: str, sender: str) -> None:
        self.http, self.url, self.api_key, self.sender = http, url, api_key, sender

    async def send(self, address: str, message: Message, delivery_key: str) -> None:
        """Hand the text to the provider; raises when it is not accepted."""
        answer = await self.http.post(
            self.url,
            json={
                "to": address,
                "from": self.sender,
                "text": message.body,
                "client_ref": delivery_key,
            },
            headers={"Authorization": f"Bearer {self.api_key}"} if self.api_key else {},
        )
        answer.raise_for_status()
