"""Composition root of the notifications service: settings, store, channels, consumers and
routes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

import httpx
from fastapi import FastAPI

from contest_contracts.envelope import Envelope, EventData
from contest_contracts.events.judging import (
    FinalistsSelected,
    JurorAssigned,
    ResultsPublished,
    ScoreRecorded,
)
from contest_contracts.events.notifications import Channel, NotificationRequested
from contest_contracts.topics import (
    APPLICATIONS,
    ASSIGNMENTS,
    NOTIFICATION_PRIORITY,
    NOTIFICATION_REQUESTS,
    SCORES,
    Topic,
)
from contest_notifications.api import deliveries, opt_outs, staff, webhooks
from contest_notifications.channels.email import SmtpChannel
from contest_notifications.channels.sms import SmsProvider
from contest_notifications.channels.webhook import WebhookPoster
from contest_notifications.context import NotificationsContext
from contest_notifications.dispatch import Senders, retry_due
from contest_notifications.domain.templates import Templates
from contest_notifications.events.applicants import (
    announce_finalists,
    announce_results,
    follow_application,
)
from contest_notifications.events.jurors import sheet_recorded, tell_juror
from contest_notifications.events.requests import take_request
from contest_notifications.events.webhooks import WEBHOOK_TOPICS, fan_out
from contest_notifications.settings import NotificationsSettings
from contest_notifications.store.applicants import Applicants
from contest_notifications.store.deliveries import Deliveries
from contest_notifications.store.opt_outs import OptOuts
from contest_notifications.store.staff import StaffDirectory
from contest_notifications.store.subscriptions import Subscriptions
from contest_runtime.consumers import ConsumerOptions, EventHandler, subscribe
from contest_runtime.definitions import keep_contest_definitions
from contest_runtime.kafka import EventPublisher
from contest_runtime.service import ServiceRuntime, create_service_app

NAME = "notifications"


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """The notifications service's app; connects to nothing until its lifespan starts."""
    settings = settings or NotificationsSettings()
    templates = Templates.packaged()  # read now: a broken template stops the start

    async def wire(runtime: ServiceRuntime) -> NotificationsContext:
        http = httpx.AsyncClient(timeout=settings.channel_timeout_s)
        runtime.background.append(lambda: _close_at_stop(http))
        password = settings.smtp_password
        context = NotificationsContext(
            settings=settings,
            contests=keep_contest_definitions(runtime),
            deliveries=Deliveries(runtime.db),
            applicants=Applicants(runtime.db),
            subscriptions=Subscriptions(runtime.db),
            opt_outs=OptOuts(runtime.db),
            staff=StaffDirectory(runtime.db),
            templates=templates,
            outlets={
                Channel.EMAIL: SmtpChannel(
                    settings.smtp_host,
                    settings.smtp_port,
                    settings.smtp_sender,
                    username=settings.smtp_username,
                    password=password.get_secret_value() if password else None,
                    starttls=settings.smtp_starttls,
                    timeout_s=settings.channel_timeout_s,
                    message_id_domain=settings.email_domain,
                ),
                Channel.SMS: SmsProvider(
                    http,
                    settings.sms_url,
                    settings.sms_api_key.get_secret_value(),
                    settings.sms_sender,
                ),
            },
            webhooks=WebhookPoster(http),
            publisher=EventPublisher(runtime.broker, source=f"/contest/{NAME}"),
            dead_letters=runtime.dead_letters,
            senders=Senders(settings.send_concurrency),
        )
        runtime.background.append(context.senders.until_stopped)
        await context.deliveries.create_indexes()
        await context.applicants.create_indexes()
        await context.staff.create_indexes()
        options = replace(ConsumerOptions.of(settings), from_the_beginning=settings.history)
        requested = partial(take_request, context)
        application = partial(follow_application, context)
        public: dict[type[EventData], EventHandler] = {
            model: partial(fan_out, context) for t in WEBHOOK_TOPICS for model in t.events
        }
        # Applicants hear of finalists and results as the subscribers do (one consumer per
        # topic and group: a second one would split the topic's partitions with the first).
        public[FinalistsSelected] = both(
            public[FinalistsSelected], partial(announce_finalists, context)
        )
        public[ResultsPublished] = both(
            public[ResultsPublished], partial(announce_results, context)
        )
        consumers: list[tuple[tuple[Topic, ...], Mapping[type[EventData], EventHandler]]] = [
            # One-time codes have a consumer of their own: no bulk message is ever before one.
            ((NOTIFICATION_PRIORITY,), {NotificationRequested: requested}),
            (
                (NOTIFICATION_REQUESTS, APPLICATIONS, ASSIGNMENTS, SCORES),
                {
                    NotificationRequested: requested,
                    **{model: application for model in APPLICATIONS.events},
                    JurorAssigned: partial(tell_juror, context),
                    ScoreRecorded: partial(sheet_recorded, context),
                },
            ),
            (WEBHOOK_TOPICS, public),
        ]
        for topics, handlers in consumers:
            subscribe(
                runtime.broker,
                topics,
                handlers,
                options=options,
                dead_letters=runtime.dead_letters,
            )
        runtime.background.append(lambda: retry_due(context, settings.dispatch_interval_s))
        return context

    return create_service_app(
        name=NAME,
        settings=settings,
        title="Contest notifications service",
        description="Email, SMS and signed webhooks in kk/ru/en, exactly one delivery per event, "
        "recipient and channel.",
        routers=[deliveries.router, webhooks.router, opt_outs.router, staff.router],
        wire=wire,
    )


def both(first: EventHandler, second: EventHandler) -> EventHandler:
    """One handler doing two things (each is idempotent, so a retry repeats both safely)."""

    async def handle(envelope: Envelope[Any]) -> None:
        await first(envelope)
        await second(envelope)

    return handle


async def _close_at_stop(http: httpx.AsyncClient) -> None:
    """Hold the provider's HTTP client open until the service stops (a background job is
    cancelled at stop)."""
    try:
        await asyncio.Event().wait()
    finally:
        await http.aclose()
