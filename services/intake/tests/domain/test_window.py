"""The submission window: when applicants may submit, when it is due to close, and the
counts it reports when it closes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from intake_samples import (
    ALMATY,
    ASTANA,
    PROJECT_NOMINATION,
    WORKER_NOMINATION,
    contest_definition,
)

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition, StageSchedule
from contest_contracts.events.stages import SubmissionCount
from contest_intake.domain.applications import ApplicationStatus
from contest_intake.domain.forms import Refused
from contest_intake.domain.window import is_due, require_open, submission_summary

SECOND = timedelta(seconds=1)


def submission(definition: ContestDefinition) -> StageSchedule:
    return next(s for s in definition.stages if s.stage == StageKind.SUBMISSION)


def refusal_code(definition: ContestDefinition, closed_at: datetime | None, now: datetime) -> str:
    with pytest.raises(Refused) as caught:
        require_open(definition, closed_at, now)
    return caught.value.code


def test_submission_is_not_open_before_it_opens() -> None:
    definition = contest_definition(opens=timedelta(days=2), closes=timedelta(days=5))
    stage = submission(definition)
    assert refusal_code(definition, None, stage.opens_at - SECOND) == "submission_not_open"


def test_submission_is_open_from_opening_until_just_before_closing() -> None:
    definition = contest_definition()
    stage = submission(definition)
    for now in (stage.opens_at, stage.opens_at + timedelta(days=3), stage.closes_at - SECOND):
        require_open(definition, None, now)  # raises when closed


def test_submission_is_closed_at_and_after_the_deadline() -> None:
    definition = contest_definition()
    stage = submission(definition)
    assert refusal_code(definition, None, stage.closes_at) == "submission_closed"
    assert refusal_code(definition, None, stage.closes_at + SECOND) == "submission_closed"


def test_submission_closed_early_by_an_operator_is_closed() -> None:
    definition = contest_definition()
    stage = submission(definition)
    closed_at = stage.opens_at + timedelta(hours=5)
    now = stage.opens_at + timedelta(hours=6)
    with pytest.raises(Refused) as caught:
        require_open(definition, closed_at, now)
    assert caught.value.code == "submission_closed"
    assert closed_at.isoformat() in str(caught.value)


def test_is_due_once_the_scheduled_deadline_is_reached() -> None:
    definition = contest_definition()
    closes_at = submission(definition).closes_at
    assert not is_due(definition, closes_at - SECOND)
    assert is_due(definition, closes_at)
    assert is_due(definition, closes_at + timedelta(days=1))


def test_is_due_compares_instants_whatever_the_offset_of_now() -> None:
    definition = contest_definition()
    closes_at = submission(definition).closes_at
    almaty = timezone(timedelta(hours=5))
    assert not is_due(definition, (closes_at - SECOND).astimezone(almaty))
    assert is_due(definition, closes_at.astimezone(almaty))


def test_summary_counts_submitted_and_withdrawn_per_region_and_nomination() -> None:
    summary = submission_summary(
        [
            (ASTANA, PROJECT_NOMINATION, ApplicationStatus.SUBMITTED),
            (ASTANA, PROJECT_NOMINATION, ApplicationStatus.ELIGIBLE),
            (ASTANA, PROJECT_NOMINATION, ApplicationStatus.WITHDRAWN),
            (ASTANA, WORKER_NOMINATION, ApplicationStatus.SUBMITTED),
            (ALMATY, PROJECT_NOMINATION, ApplicationStatus.WITHDRAWN),
        ]
    )
    assert summary.stage == StageKind.SUBMISSION
    assert summary.total_submitted == 3
    assert summary.counts == [
        SubmissionCount(
            region_code=ASTANA, nomination_code=PROJECT_NOMINATION, submitted=2, withdrawn=1
        ),
        SubmissionCount(
            region_code=ASTANA, nomination_code=WORKER_NOMINATION, submitted=1, withdrawn=0
        ),
        SubmissionCount(
            region_code=ALMATY, nomination_code=PROJECT_NOMINATION, submitted=0, withdrawn=1
        ),
    ]


def test_summary_ignores_drafts() -> None:
    summary = submission_summary(
        [
            (ASTANA, PROJECT_NOMINATION, ApplicationStatus.DRAFT),
            (ALMATY, WORKER_NOMINATION, ApplicationStatus.DRAFT),
            (ALMATY, WORKER_NOMINATION, ApplicationStatus.SUBMITTED),
        ]
    )
    assert summary.total_submitted == 1
    assert [(c.region_code, c.nomination_code) for c in summary.counts] == [
        (ALMATY, WORKER_NOMINATION)
    ]


def test_summary_counts_ineligible_applications_as_submitted() -> None:
    summary = submission_summary([(ASTANA, PROJECT_NOMINATION, ApplicationStatus.INELIGIBLE)])
    assert summary.total_submitted == 1
    assert summary.counts[0].submitted == 1
    assert summary.counts[0].withdrawn == 0


def test_summary_of_nothing_is_empty() -> None:
    summary = submission_summary([])
    assert (summary.total_submitted, summary.counts) == (0, [])
