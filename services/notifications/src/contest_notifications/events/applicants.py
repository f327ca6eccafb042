"""Applicants hear from the platform as their application moves on: received, screened,
finalist or not, awarded or not (the rules are in ``domain.rules``)."""

from __future__ import annotations

from typing import Any

from contest_contracts.common import LocalizedText
from contest_contracts.envelope import Envelope
from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ScreeningDecision,
)
from contest_contracts.events.judging import FinalistsSelected, ResultsPublished
from contest_contracts.events.notifications import Channel
from contest_notifications.context import NotificationsContext
from contest_notifications.domain import rules
from contest_notifications.events.requests import send_once
from contest_notifications.store.deliveries import new_delivery


async def follow_application(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Keep the applicant's contact; acknowledge a submission and announce screening."""
    event = envelope.data
    applicants = context.applicants
    match event:
        case ApplicationSubmitted(application=application):
            applicant = await applicants.keep(application, revision=1)
            contest = await title_of(context, applicant.contest_id)
            region = await context.staff.of_region(application.region_code)
            intents = [
                rules.received(applicant, contest),
                *rules.to_screen(region, applicant, application.region_code, contest),
            ]
            await send_intents(context, envelope, intents)
        case ApplicationUpdated(application=application, revision=revision):
            await applicants.keep(application, revision)
        case ApplicationWithdrawn(application_id=application_id):
            await applicants.leave(application_id)
        case ApplicationScreened(application_id=application_id, decision=decision):
            if decision == ScreeningDecision.INELIGIBLE:
                await applicants.leave(application_id)
            screened = await applicants.get(application_id)
            if screened is not None:
                contest = await title_of(context, screened.contest_id)
                intent = rules.screened(screened, decision, event.reason, contest)
                await send_intents(context, envelope, [intent])


async def announce_finalists(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Tell every applicant still in the competition whether they are a finalist."""
    event: FinalistsSelected = envelope.data
    finalists = {f.application_id for f in event.finalists}
    await context.applicants.mark_finalists(event.contest_id, finalists)
    applicants = await context.applicants.of_contest(event.contest_id)
    contest = await title_of(context, event.contest_id)
    await send_intents(
        context,
        envelope,
        rules.finalists_announced(applicants, finalists, event.contest_id, contest),
    )


async def announce_results(context: NotificationsContext, envelope: Envelope[Any]) -> None:
    """Tell every finalist what they won, or that they won nothing."""
    event: ResultsPublished = envelope.data
    applicants = await context.applicants.of_contest(event.contest_id)
    contest = await title_of(context, event.contest_id)
    await send_intents(context, envelope, rules.results_announced(applicants, event, contest))


async def title_of(context: NotificationsContext, contest_id: str) -> LocalizedText:
    definition = await context.contests.get(contest_id)
    return definition.title if definition is not None else LocalizedText(ru=contest_id)


async def send_intents(
    context: NotificationsContext,
    envelope: Envelope[Any],
    intents: list[rules.Intent],
    *,
    not_before_ms: int = 0,
) -> None:
    """Send what the rules asked for, by email, once each (not before ``not_before_ms``)."""
    for intent in intents:
        await send_once(
            context,
            new_delivery(
                notification_id=intent.notification_id,
                channel=Channel.EMAIL,
                recipient_id=intent.recipient_id,
                address=intent.address,
                language=intent.language,
                template=intent.template,
                parameters=intent.parameters,
                priority=False,
                contest_id=getattr(envelope.data, "contest_id", None),
                event_id=envelope.id,
                next_attempt_ms=not_before_ms,
                created_at=context.clock(),
            ),
        )
