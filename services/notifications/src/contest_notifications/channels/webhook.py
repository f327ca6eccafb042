"""Webhook deliveries: the event's JSON, POSTed with its signature; any 2xx is acceptance."""

from __future__ import annotations

import httpx

from contest_notifications.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)


class WebhookPoster:
    """Posts signed events to subscribers."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self, url: str, body: bytes, secret: str, *, event_id: str, delivery_key: str, now: int
    ) -> None:
        """POST one event; raises unless the receiver answers 2xx."""
        answer = await self.http.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/cloudevents+json",
                TIMESTAMP_HEADER: str(now),
                SIGNATURE_HEADER: signature(secret, now, body),
                EVENT_HEADER: event_id,
                DELIVERY_HEADER: delivery_key,
            },
        )
        answer.raise_for_status()
