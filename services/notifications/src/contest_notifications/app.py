"""Composition root of the notifications service: settings, store, channels, consumers and
routes."""

from __future__ import annotations

import asyncio
from functools import partial

import httpx
from fastapi import FastAPI

from contest_contracts.events.applications import ApplicationSubmitted
from contest_contracts.events.notifications import Channel, NotificationRequested
from contest_contracts.topics import APPLICATIONS, NOTIFICATION_PRIORITY, NOTIFICATION_REQUESTS
from contest_notifications.api import deliveries
from contest_notifications.channels.email import SmtpChannel
from contest_notifications.channels.sms import SmsProvider
from contest_notifications.context import NotificationsContext
from contest_notifications.dispatch import retry_due
from contest_notifications.domain.templates import Templates
from contest_notifications.events.applications import application_received
from contest_notifications.events.requests import take_request
from contest_notifications.settings import NotificationsSettings
from contest_notifications.store.deliveries import Deliveries
from contest_runtime.consumers import ConsumerOptions, subscribe
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
                ),
                Channel.SMS: SmsProvider(
                    http,
                    settings.sms_url,
                    settings.sms_api_key.get_secret_value(),
                    settings.sms_sender,
                ),
            },
            publisher=EventPublisher(runtime.broker, source=f"/contest/{NAME}"),
        )
        await context.deliveries.create_indexes()
        options = ConsumerOptions.of(settings)
        # Each topic is its own consumer: one-time codes never wait behind bulk messages.
        for topic, model, handler in (
            (NOTIFICATION_PRIORITY, NotificationRequested, take_request),
            (NOTIFICATION_REQUESTS, NotificationRequested, take_request),
            (APPLICATIONS, ApplicationSubmitted, application_received),
        ):
            subscribe(
                runtime.broker,
                topic,
                {model: partial(handler, context)},
                options=options,
                dead_letters=runtime.dead_letters,
            )
        runtime.background.append(lambda: retry_due(context, settings.dispatch_interval_s))
        return context

    return create_service_app(
        name=NAME,
        settings=settings,
        title="Contest notifications service",
        description="Email and SMS in kk/ru/en, exactly one delivery per event and recipient.",
        routers=[deliveries.router],
        wire=wire,
    )


async def _close_at_stop(http: httpx.AsyncClient) -> None:
    """Hold the provider's HTTP client open until the service stops (a background job is
    cancelled at stop)."""
    try:
        await asyncio.Event().wait()
    finally:
        await http.aclose()
