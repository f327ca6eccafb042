"""Applicants hear from the platform: an email when their application is received, in the
language of their contact."""

from __future__ import annotations

from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.applications import ApplicationSubmitted
from contest_contracts.events.notifications import Channel
from contest_notifications.context import NotificationsContext
from contest_notifications.events.requests import send_once
from contest_notifications.store.deliveries import Delivery, delivery_key


async def application_received(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Email the applicant that their application was received (once per application)."""
    event: ApplicationSubmitted = envelope.data
    application = event.application
    definition = await context.contests.get(application.contest_id)
    language = application.contact.language
    title = definition.title if definition is not None else None
    contest = (getattr(title, language.value) or title.ru) if title else application.contest_id
    notification_id = f"application-received-{application.application_id}"
    recipient_id = f"applicant-{application.application_id}"
    await send_once(
        context,
        Delivery(
            key=delivery_key(notification_id, Channel.EMAIL, recipient_id),
            notification_id=notification_id,
            channel=Channel.EMAIL,
            recipient_id=recipient_id,
            address=application.contact.email,
            language=language,
            template="application_received",
            parameters={
                "name": application.applicant.display_name,
                "title": application.title,
                "contest": contest,
                "application_id": application.application_id,
            },
            priority=False,
            contest_id=application.contest_id,
            event_id=envelope.id,
            created_at=context.clock(),
        ),
    )
