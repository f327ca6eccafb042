"""Where a contest stands, from its schedule and what the services say happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contest_contracts.common import StageKind
from contest_intake.domain.definitions import demo_definition
from contest_portal.services.voting import VoteState, VoteStatus
from contest_portal.timeline import StageState, timeline

DEFINITION = demo_definition()
STAGES = {s.stage: s for s in DEFINITION.stages}


def states(**kwargs: object) -> dict[StageKind, StageState]:
    now = kwargs.pop("now")
    assert isinstance(now, datetime)
    found = timeline(DEFINITION, now, **kwargs)  # type: ignore[arg-type]
    return {stage.stage: stage.state for stage in found.stages}


def test_by_the_schedule_alone_one_stage_runs_at_a_time_until_the_vote() -> None:
    during = STAGES[StageKind.SUBMISSION].opens_at + timedelta(days=1)
    assert states(now=during)[StageKind.SUBMISSION] is StageState.RUNNING
    assert states(now=during)[StageKind.REGIONAL] is StageState.TO_COME
    before = STAGES[StageKind.SUBMISSION].opens_at - timedelta(days=1)
    found = timeline(DEFINITION, before)
    assert not found.running and found.next is not None
    assert found.next.stage is StageKind.SUBMISSION
    after = STAGES[StageKind.AWARDS].closes_at + timedelta(minutes=1)
    assert timeline(DEFINITION, after).over


def test_submission_closed_early_by_intake_is_over() -> None:
    during = STAGES[StageKind.SUBMISSION].opens_at + timedelta(days=1)
    found = states(now=during, submission_closed_at=during - timedelta(hours=1))
    assert found[StageKind.SUBMISSION] is StageState.DONE


def test_the_vote_is_as_voting_says_and_the_awards_are_over_once_results_are_out() -> None:
    voting = STAGES[StageKind.PUBLIC_VOTE].opens_at + timedelta(hours=1)
    not_open = VoteState(status=VoteStatus.NOT_OPEN)  # no finalists yet
    assert states(now=voting, vote=not_open)[StageKind.PUBLIC_VOTE] is StageState.TO_COME
    closed = VoteState(status=VoteStatus.CLOSED, closed_at=voting)
    assert states(now=voting, vote=closed)[StageKind.PUBLIC_VOTE] is StageState.DONE
    opened = VoteState(status=VoteStatus.OPEN)
    before = STAGES[StageKind.PUBLIC_VOTE].opens_at - timedelta(days=3)
    assert states(now=before, vote=opened)[StageKind.PUBLIC_VOTE] is StageState.RUNNING
    during_awards = STAGES[StageKind.AWARDS].opens_at + timedelta(minutes=1)
    found = states(now=during_awards, results_published=True)
    assert found[StageKind.AWARDS] is StageState.DONE
    assert states(now=datetime(2020, 1, 1, tzinfo=UTC))[StageKind.AWARDS] is StageState.TO_COME
