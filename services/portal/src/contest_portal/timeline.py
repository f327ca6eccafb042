"""Where a contest stands: each stage of its schedule done, running or to come.

Made from the definition's schedule and what the services say happened: intake closes
submission (possibly before its deadline), voting opens the vote only once the finalists are
known and may close it early, judging publishes the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition, StageSchedule
from contest_portal.services.voting import VoteState, VoteStatus


class StageState(StrEnum):
    """How a stage stands now."""

    TO_COME = "to_come"
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class StageNow:
    """One stage of the schedule and how it stands."""

    schedule: StageSchedule
    state: StageState

    @property
    def stage(self) -> StageKind:
        """Which stage."""
        return self.schedule.stage


@dataclass(frozen=True)
class Timeline:
    """Every stage in schedule order, and whether the results are out."""

    stages: list[StageNow]
    results_published: bool

    @property
    def running(self) -> list[StageNow]:
        """The stages running now (the republican stage and the vote may overlap)."""
        return [stage for stage in self.stages if stage.state is StageState.RUNNING]

    @property
    def next(self) -> StageNow | None:
        """The first stage still to come."""
        return next((s for s in self.stages if s.state is StageState.TO_COME), None)

    @property
    def over(self) -> bool:
        """Every stage is done."""
        return all(stage.state is StageState.DONE for stage in self.stages)


def timeline(
    definition: ContestDefinition,
    now: datetime,
    *,
    submission_closed_at: datetime | None = None,
    vote: VoteState | None = None,
    results_published: bool = False,
) -> Timeline:
    """The contest's stages at ``now``, in the order they open."""
    stages = sorted(definition.stages, key=lambda s: (s.opens_at, list(StageKind).index(s.stage)))
    return Timeline(
        [
            StageNow(
                schedule,
                _state(schedule, now, submission_closed_at, vote, results_published),
            )
            for schedule in stages
        ],
        results_published,
    )


def _state(
    schedule: StageSchedule,
    now: datetime,
    submission_closed_at: datetime | None,
    vote: VoteState | None,
    results_published: bool,
) -> StageState:
    if schedule.stage is StageKind.SUBMISSION and submission_closed_at is not None:
        return StageState.DONE
    if schedule.stage is StageKind.PUBLIC_VOTE and vote is not None:
        if vote.status is VoteStatus.OPEN:
            return StageState.RUNNING
        if vote.status is VoteStatus.CLOSED:
            return StageState.DONE
        # Scheduled but not open: the finalists are not known yet.
        return StageState.TO_COME if now < schedule.closes_at else StageState.DONE
    if schedule.stage is StageKind.AWARDS and results_published:
        return StageState.DONE
    if now < schedule.opens_at:
        return StageState.TO_COME
    if now < schedule.closes_at:
        return StageState.RUNNING
    return StageState.DONE
