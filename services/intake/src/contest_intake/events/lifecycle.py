"""Applicants' timelines follow the contest: finalists selected, results published; and
each judging stage's close leaves every application's standing (rank, score, criteria)."""

from __future__ import annotations

from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.judging import FinalistsSelected, NominationResult, ResultsPublished
from contest_contracts.events.stages import JudgingSummary, StageClosed
from contest_intake.domain.applications import ApplicationStatus
from contest_intake.office import IntakeOffice
from contest_intake.store.standings import StageStanding


async def follow_finalists(office: IntakeOffice, envelope: Envelope[Any]) -> None:
    """Eligible applications become finalists or not selected."""
    event: FinalistsSelected = envelope.data
    finalists = {f.application_id: f for f in event.finalists}
    candidates = await office.applications.ids_in(
        event.contest_id, frozenset({ApplicationStatus.ELIGIBLE, ApplicationStatus.FINALIST})
    )
    for application_id in sorted(set(candidates) | set(finalists)):
        finalist = finalists.get(application_id)
        if finalist is not None:
            status = ApplicationStatus.FINALIST
            detail = f"rank {finalist.regional_rank} in the region"
        else:
            status, detail = ApplicationStatus.NOT_SELECTED, None
        await office.follow(application_id, status, event.selected_at, envelope.id, detail)


async def follow_results(office: IntakeOffice, envelope: Envelope[Any]) -> None:
    """Finalists become awarded (with what they won) or not awarded."""
    event: ResultsPublished = envelope.data
    awards: dict[str, list[str]] = {}
    for nomination in event.nominations:
        for application_id, award in _awards(nomination):
            awards.setdefault(application_id, []).append(award)
    finalists = await office.applications.ids_in(
        event.contest_id, frozenset({ApplicationStatus.FINALIST})
    )
    for application_id in sorted(set(finalists) | set(awards)):
        won = awards.get(application_id)
        status = ApplicationStatus.AWARDED if won else ApplicationStatus.NOT_AWARDED
        detail = "; ".join(won) if won else None
        await office.follow(application_id, status, event.published_at, envelope.id, detail)


def _awards(nomination: NominationResult) -> list[tuple[str, str]]:
    return (
        [(p.application_id, f"place {p.place}") for p in nomination.places]
        + [(s.application_id, f"special prize: {s.reason}") for s in nomination.special_prizes]
        + [
            (c.application_id, f"people's choice ({c.votes} votes)")
            for c in nomination.peoples_choice
        ]
    )


async def follow_stage_closed(office: IntakeOffice, envelope: Envelope[Any]) -> None:
    """A judging stage closed: keep each ranked application's standing. Other stages'
    closes (submission, the public vote) carry no ranking and leave nothing."""
    event: StageClosed = envelope.data
    if not isinstance(event.summary, JudgingSummary):
        return
    await office.standings.keep(
        [
            StageStanding(
                application_id=entry.application_id,
                contest_id=event.contest_id,
                stage=event.stage,
                rank=entry.rank,
                ranked=len(ranking.entries),
                score=entry.score,
                sheets=entry.sheets,
                criteria=entry.criteria,
                closed_at=event.closed_at,
            )
            for ranking in event.summary.rankings
            for entry in ranking.entries
        ]
    )
