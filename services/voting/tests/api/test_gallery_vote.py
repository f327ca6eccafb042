"""A contest that votes on its public gallery: the choices are the project applications
still in the competition, followed from intake's events; judging's finalists do not count."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ScreeningDecision,
)
from contest_contracts.events.contest import VoteChoices
from contest_contracts.samples import SNAPSHOT
from contest_contracts.topics import APPLICATIONS

NOMINATION = "best-social-project"


async def _choices(voting: Any, contest: str) -> list[tuple[str, str]]:
    vote = await voting.context.public_votes.get(contest)
    return [(c.application_id, c.title) for c in vote.choices]


async def test_the_choices_are_the_gallery_projects_still_in_the_competition(
    voting: Any, eventually: Any
) -> None:
    definition, finalists = await voting.open_vote(eventually, choices=VoteChoices.GALLERY)
    contest = definition.contest_id
    now = datetime.now(UTC)
    kept, renamed, withdrawn, ineligible = (f"gallery-{i}-{contest}" for i in range(4))
    snapshots = {
        application_id: SNAPSHOT.model_copy(
            update={"application_id": application_id, "contest_id": contest, "title": f"P{i}"}
        )
        for i, application_id in enumerate((kept, renamed, withdrawn, ineligible))
    }
    publish = voting.outside.publish
    for application_id, snapshot in snapshots.items():
        submitted = ApplicationSubmitted(application=snapshot)
        for _ in range(2):  # delivered twice
            await publish(APPLICATIONS, submitted, subject=application_id)
    await publish(
        APPLICATIONS,
        ApplicationUpdated(
            application=snapshots[renamed].model_copy(update={"title": "Renamed"}), revision=2
        ),
        subject=renamed,
    )
    await publish(
        APPLICATIONS,
        ApplicationWithdrawn(
            application_id=withdrawn,
            contest_id=contest,
            nomination_code=NOMINATION,
            region_code="KZ-71",
            withdrawn_at=now,
        ),
        subject=withdrawn,
    )
    await publish(
        APPLICATIONS,
        ApplicationScreened(
            application_id=ineligible,
            contest_id=contest,
            nomination_code=NOMINATION,
            region_code="KZ-71",
            decision=ScreeningDecision.INELIGIBLE,
            reason="not a social project",
            screened_by="secretary-1",
            screened_at=now,
        ),
        subject=ineligible,
    )
    # An older revision arriving late changes nothing.
    await publish(
        APPLICATIONS, ApplicationSubmitted(application=snapshots[renamed]), subject=renamed
    )

    expected = [(kept, "P0"), (renamed, "Renamed")]
    # Each application's events share a partition, but partitions are read in any order:
    # wait until the ones that left have been seen leaving.
    await eventually(lambda: _has(voting, contest, expected, left={withdrawn, ineligible}))
    assert not set(finalists) & {a for a, _ in await _choices(voting, contest)}

    headers = await voting.verified(f"+7702{random.randrange(10**7):07d}", eventually)
    url = f"/contests/{contest}/votes"
    gone = await voting.http.post(
        url, json={"nomination_code": NOMINATION, "application_id": withdrawn}, headers=headers
    )
    assert (gone.status_code, gone.json()["code"]) == (422, "not_a_choice")
    cast = await voting.http.post(
        url, json={"nomination_code": NOMINATION, "application_id": renamed}, headers=headers
    )
    assert cast.status_code == 202, cast.text


async def _has(voting: Any, contest: str, expected: list[tuple[str, str]], left: set[str]) -> bool:
    vote = await voting.context.public_votes.get(contest)
    gone = {a for a, entry in vote.gallery.items() if entry.left}
    return sorted(await _choices(voting, contest)) == sorted(expected) and gone == left
