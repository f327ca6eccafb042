"""Sending deliveries: render, hand to the channel, record the attempt; retry with backoff
and jitter, and after the last attempt fail it and say so on the outcomes topic."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from urllib.parse import quote

from contest_contracts.events.notifications import (
    Channel,
    NotificationDelivered,
    NotificationFailed,
)
from contest_contracts.topics import CATALOGUE, NOTIFICATION_OUTCOMES
from contest_notifications.context import NotificationsContext
from contest_notifications.domain.retries import retry_delay_s
from contest_notifications.domain.sms import sms_text
from contest_notifications.domain.templates import TemplateProblem
from contest_notifications.settings import NotificationsSettings
from contest_notifications.store.deliveries import (
    Attempt,
    Delivery,
    DeliveryStatus,
)
from contest_runtime.mongo import epoch_ms

log = logging.getLogger(__name__)
_draw = random.Random()
TOPICS_BY_NAME = {topic.name: topic for topic in CATALOGUE}


def lease_ms(settings: NotificationsSettings) -> int:
    """How long a sender holds a delivery it claimed: two attempts' time, after which
    another sender may take it (the first one died)."""
    return int(settings.channel_timeout_s * 2000)


async def deliver(context: NotificationsContext, key: str) -> Delivery | None:
    """Try a delivery once if it is due and nobody else is at it; the delivery after."""
    delivery = await context.deliveries.claim(key, context.clock(), lease_ms(context.settings))
    if delivery is None:
        return None
    return await attempt(context, delivery)


async def attempt(context: NotificationsContext, delivery: Delivery) -> Delivery:
    """Try a delivery this sender holds the claim of once; the delivery after."""
    settings = context.settings
    key = delivery.key
    if await _opted_out(context, delivery):
        skipped = Attempt(at=context.clock(), error="recipient opted out")
        return await context.deliveries.record(delivery, skipped, DeliveryStatus.OPTED_OUT)
    error: str | None = None
    permanent = False
    try:
        await asyncio.wait_for(_send(context, delivery), timeout=settings.channel_timeout_s)
    except (TemplateProblem, UnknownSubscription) as problem:
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
        if failed.channel == Channel.WEBHOOK:
            await _dead_letter(context, failed)
        return failed
    wait = retry_delay_s(tries, settings.retry_base_s, settings.retry_cap_s, _draw)
    next_ms = epoch_ms(now + timedelta(seconds=wait))
    return await context.deliveries.record(delivery, attempt, DeliveryStatus.PENDING, next_ms)


async def _opted_out(context: NotificationsContext, delivery: Delivery) -> bool:
    # Subscriptions are opted in by their nature; essential messages ignore opt-outs.
    if delivery.essential or delivery.channel == Channel.WEBHOOK:
        return False
    return await context.opt_outs.get(delivery.recipient_id) is not None


class UnknownSubscription(LookupError):
    """The webhook subscription of a delivery was removed."""


async def _send(context: NotificationsContext, delivery: Delivery) -> None:
    if delivery.channel == Channel.WEBHOOK:
        subscription = await context.subscriptions.get(delivery.recipient_id)
        if subscription is None or delivery.payload is None:
            raise UnknownSubscription(f"no subscription {delivery.recipient_id}")
        await context.webhooks.post(
            delivery.address,
            delivery.payload.encode(),
            subscription.secret.get_secret_value(),
            event_id=delivery.event_id,
            delivery_key=delivery.key,
            now=int(context.clock().timestamp()),
        )
        return
    message = context.templates.render(
        delivery.template,
        delivery.language,
        context.settings.language_fallback,
        delivery.parameters,
    )
    opt_out_url = context.settings.email_opt_out_url
    if delivery.channel == Channel.EMAIL and opt_out_url and not delivery.essential:
        recipient = quote(delivery.recipient_id, safe="")
        message = replace(message, opt_out_url=opt_out_url.replace("{recipient_id}", recipient))
    if delivery.channel == Channel.SMS:
        autofill_host = context.settings.sms_autofill_host
        text = sms_text(message, delivery.template, delivery.parameters, autofill_host)
        message = replace(message, body=text)
    await context.outlets[delivery.channel].send(delivery.address, message, delivery.key)


async def _dead_letter(context: NotificationsContext, delivery: Delivery) -> None:
    """The event a subscriber never took goes to its topic's dead-letter topic."""
    topic = TOPICS_BY_NAME.get(delivery.source_topic or "")
    if topic is None or delivery.payload is None:
        return
    try:
        await context.dead_letters.send_value(
            topic,
            delivery.payload.encode(),
            key=delivery.event_id.encode(),
            headers={
                "content-type": "application/cloudevents+json",
                "x-webhook-subscription": delivery.recipient_id,
                "x-webhook-delivery": delivery.key,
            },
            reason="webhook_failed",
            detail=delivery.attempts[-1].error or "failed",
            attempts=len(delivery.attempts),
        )
    except Exception:
        log.exception("failed webhook not dead-lettered", extra={"delivery": delivery.key})


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
                await context.senders.hand_over(key, functools.partial(deliver, context, key))
        except Exception:
            log.exception("retrying deliveries failed")
        await asyncio.sleep(interval_s)


Send = Callable[[], Awaitable[object]]
"""One attempt at a delivery, as a sender runs it."""


class Senders:
    """Deliveries being sent in the background, at most ``concurrency`` at once.

    A consumer hands a delivery over once it is stored and reads on, so one slow provider
    answer does not hold up every message behind it. Should the process die before a
    delivery is sent, it is still pending in the store and the retry job sends it.
    """

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def free_sender(self) -> AsyncIterator[Callable[[str, Send], None]]:
        """Wait for a free sender (so a burst holds its consumer back instead of piling up)
        and hold it; what this yields starts it ``send``ing the delivery ``key``. Left
        unused, the sender is free again.

        A delivery stored already claimed is stored with a sender held for it, so its
        claim never runs out while it waits for one."""
        await self._slots.acquire()
        started = False

        def start(key: str, send: Send) -> None:
            nonlocal started
            started = True
            task = asyncio.create_task(self._send(key, send))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

        try:
            yield start
        finally:
            if not started:
                self._slots.release()

    async def hand_over(self, key: str, send: Send) -> None:
        """Start ``send``ing the delivery ``key`` once a sender is free."""
        async with self.free_sender() as start:
            start(key, send)

    async def _send(self, key: str, send: Send) -> None:
        try:
            await send()
        except Exception:
            log.exception("delivery attempt failed", extra={"delivery": key})
        finally:
            self._slots.release()

    async def until_stopped(self) -> None:
        """Wait for the service to stop (a background job), then stop the sends under way:
        their deliveries stay claimed until the lease runs out and are sent again."""
        try:
            await asyncio.Event().wait()
        finally:
            for task in list(self._running):
                task.cancel()
            await asyncio.gather(*self._running, return_exceptions=True)
