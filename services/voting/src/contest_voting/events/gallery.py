"""Where a contest's definition says so (``public_vote.choices: gallery``), the choices are
the projects of the public gallery: every project application submitted and still in the
competition, followed from ``contest.applications.v1``. Judging's finalists then do not
change them.

An application's events share a partition (keyed by its id), so they arrive in order; a
redelivered or older revision changes nothing, and one that left the competition
(withdrawn, or screened ineligible) never comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contest_contracts.common import NominationKind
from contest_contracts.envelope import Envelope
from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSnapshot,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ScreeningDecision,
)
from contest_contracts.events.contest import VoteChoices
from contest_voting.context import VotingContext
from contest_voting.store.public_votes import Choice, GalleryEntry

Follow = Callable[[GalleryEntry], GalleryEntry]


async def follow_gallery(context: VotingContext, envelope: Envelope[Any]) -> None:
    """Keep the gallery's projects as the choices of a contest that votes on its gallery."""
    event = envelope.data
    follow: Follow
    where: ApplicationSnapshot | ApplicationWithdrawn | ApplicationScreened
    match event:
        case ApplicationSubmitted(application=application):
            where, follow = application, _revised(application, 1)
        case ApplicationUpdated(application=application, revision=revision):
            where, follow = application, _revised(application, revision)
        case ApplicationWithdrawn() | ApplicationScreened(decision=ScreeningDecision.INELIGIBLE):
            where, follow = event, _left
        case _:
            return
    if await _votes_on_gallery(context, where.contest_id, where.nomination_code):
        await context.public_votes.follow_gallery(where.contest_id, where.application_id, follow)


async def _votes_on_gallery(context: VotingContext, contest_id: str, nomination: str) -> bool:
    definition = await context.contests.get(contest_id)
    return (
        definition is not None
        and definition.public_vote.choices == VoteChoices.GALLERY
        and any(
            n.code == nomination and n.kind == NominationKind.PROJECT
            for n in definition.nominations
        )
    )


def _revised(application: ApplicationSnapshot, revision: int) -> Follow:
    choice = Choice(
        application_id=application.application_id,
        nomination_code=application.nomination_code,
        region_code=application.region_code,
        title=application.title,
        display_name=application.applicant.display_name,
    )

    def follow(held: GalleryEntry) -> GalleryEntry:
        if held.left or held.revision >= revision:
            return held
        return GalleryEntry(choice=choice, revision=revision)

    return follow


def _left(held: GalleryEntry) -> GalleryEntry:
    return held.model_copy(update={"left": True})
