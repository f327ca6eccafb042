"""Judging keeps its copy of applications, and assigns jurors to one screened eligible after
the regional stage opened."""

from __future__ import annotations

from typing import Any

from contest_contracts.common import StageKind
from contest_contracts.envelope import Envelope
from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ScreeningDecision,
)
from contest_judging.context import JudgingContext
from contest_judging.proceedings.assigning import assign_application


async def keep_submitted(context: JudgingContext, envelope: Envelope[Any]) -> None:
    """A submitted application (revision 1)."""
    event: ApplicationSubmitted = envelope.data
    await context.applications.keep(event.application, revision=1)


async def keep_updated(context: JudgingContext, envelope: Envelope[Any]) -> None:
    """A changed application (a newer revision)."""
    event: ApplicationUpdated = envelope.data
    await context.applications.keep(event.application, revision=event.revision)


async def keep_withdrawn(context: JudgingContext, envelope: Envelope[Any]) -> None:
    """A withdrawn application is judged no more."""
    event: ApplicationWithdrawn = envelope.data
    await context.applications.withdraw(event.application_id)


async def keep_screened(context: JudgingContext, envelope: Envelope[Any]) -> None:
    """A screening decision; an eligible application is assigned if its stage is running."""
    event: ApplicationScreened = envelope.data
    await context.applications.screen(event.application_id, event.decision, event.screened_at)
    if event.decision == ScreeningDecision.ELIGIBLE:
        await assign_application(
            context, event.contest_id, StageKind.REGIONAL, event.application_id, envelope
        )
