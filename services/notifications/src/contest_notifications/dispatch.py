"""Sending deliveries: render, hand to the channel, record the attempt; retry with backoff
and jitter, and after the last attempt fail it and say so on the outcomes topic."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from contest_contracts.events.notifications import NotificationDelivered, NotificationFailed
from contest_contracts.topics import NOTIFICATION_OUTCOMES
from contest_notifications.context import NotificationsContext
from contest_notifications.domain.retries import retry_delay_s
from contest_notifications.domain.templates import TemplateProblem
from contest_notifications.store.deliveries import (
    Attempt,
    Delivery,
    DeliveryStatus,
    epoch_ms,
)

log = logging.getLogger(__name__)
_draw = random.Random()


async def deliver(context: NotificationsContext, key: str) -> Delivery | None:
    """Try a delivery once if it is due and nobody else is at it; the delivery after."""
    settings = context.settings
    lease_ms = int(settings.channel_timeout_s * 2000)
    delivery = await context.deliveries.claim(key, context.clock(), lease_ms)
    if delivery is None:
        return None
    error: str | None = None
    permanent = False
    try:
        message = context.templates.render(
            delivery.template, delivery.language, settings.language_fallback, delivery.parameters
        )
        await asyncio.wait_for(
            context.outlets[delivery.channel].send(delivery.address, message, delivery.key),
            timeout=settings.channel_timeout_s,
        )
    except TemplateProblem as problem:
        error, permanent = str(problem), True  # trying again cannot help
    except Exception as failure:
        error = f"{type(failure).__name__}: {failure}"
    now = context.clock()
    attempt = Attempt(at=now, error=error)
    if error is None:
        done = await context.deliveries.record(delivery, attempt, DeliveryStatus.DELIVERED)
        await _tell(context, done)
        return done
    tries = len(delivery.attempts) + 1
    if permanent or tries >= settings.max_attempts:
        failed = await context.deliveries.record(delivery, attempt, DeliveryStatus.FAILED)
        log.warning("delivery failed", extra={"delivery": key, "error": error})
        await _tell(context, failed)
        return failed
    wait = retry_delay_s(tries, settings.retry_base_s, settings.retry_cap_s, _draw)
    next_ms = epoch_ms(now + timedelta(seconds=wait))
    return await context.deliveries.record(delivery, attempt, DeliveryStatus.PENDING, next_ms)


async def _tell(context: NotificationsContext, delivery: Delivery) -> None:
    attempts = len(delivery.attempts)
    outcome: NotificationDelivered | NotificationFailed
    if delivery.status == DeliveryStatus.DELIVERED:
        assert delivery.delivered_at is not None
        outcome = NotificationDelivered(
            notification_id=delivery.notification_id,
            channel=delivery.channel,
            recipient_id=delivery.recipient_id,
            attempts=attempts,
            delivered_at=delivery.delivered_at,
        )
    else:
        outcome = NotificationFailed(
            notification_id=delivery.notification_id,
            channel=delivery.channel,
            recipient_id=delivery.recipient_id,
            attempts=attempts,
            error=delivery.attempts[-1].error or "failed",
            failed_at=delivery.attempts[-1].at,
        )
    try:
        await context.publisher.publish(
            NOTIFICATION_OUTCOMES, outcome, subject=delivery.notification_id
        )
    except Exception:
        # The delivery log holds the outcome; the event is informative.
        log.exception("delivery outcome not published", extra={"delivery": delivery.key})


async def retry_due(context: NotificationsContext, interval_s: float) -> None:
    """Send deliveries whose retry is due, forever (a background job)."""
    while True:
        try:
            for key in await context.deliveries.due(context.clock(), limit=200):
                await deliver(context, key)
        except Exception:
            log.exception("retrying deliveries failed")
        await asyncio.sleep(interval_s)
