"""The submission window, and what closing it reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.stages import SubmissionCount, SubmissionSummary
from contest_intake.domain.applications import IN_COMPETITION, ApplicationStatus
from contest_intake.domain.forms import Refused


def require_open(definition: ContestDefinition, closed_at: datetime | None, now: datetime) -> None:
    """Refuse unless applicants may submit and change applications at ``now``.

    The window is the submission stage of the schedule, cut short when an operator
    closed it earlier.
    """
    stage = next(s for s in definition.stages if s.stage == StageKind.SUBMISSION)
    if now < stage.opens_at:
        raise Refused.of("submission_not_open", f"submission opens at {stage.opens_at.isoformat()}")
    if closed_at is not None or now >= stage.closes_at:
        when = closed_at or stage.closes_at
        raise Refused.of("submission_closed", f"submission closed at {when.isoformat()}")


def has_opened(definition: ContestDefinition, now: datetime) -> bool:
    """Whether the scheduled opening of submission has come."""
    stage = next(s for s in definition.stages if s.stage == StageKind.SUBMISSION)
    return now >= stage.opens_at


def is_due(definition: ContestDefinition, now: datetime) -> bool:
    """Whether the scheduled deadline of submission has passed."""
    stage = next(s for s in definition.stages if s.stage == StageKind.SUBMISSION)
    return now >= stage.closes_at


def submission_summary(
    applications: Iterable[tuple[str, str, ApplicationStatus]],
) -> SubmissionSummary:
    """Counts per region and nomination from (region, nomination, status) of every application
    that left draft.

    Drafts are not counted; applications found ineligible before the close still count as
    submitted (screening is not part of submission).
    """
    submitted: Counter[tuple[str, str]] = Counter()
    withdrawn: Counter[tuple[str, str]] = Counter()
    for region, nomination, status in applications:
        if status == ApplicationStatus.WITHDRAWN:
            withdrawn[(region, nomination)] += 1
        elif status in IN_COMPETITION or status == ApplicationStatus.INELIGIBLE:
            submitted[(region, nomination)] += 1
        # a draft never reached submission and is not counted
    cells = sorted(set(submitted) | set(withdrawn))
    return SubmissionSummary(
        stage=StageKind.SUBMISSION,
        total_submitted=sum(submitted.values()),
        counts=[
            SubmissionCount(
                region_code=region,
                nomination_code=nomination,
                submitted=submitted[(region, nomination)],
                withdrawn=withdrawn[(region, nomination)],
            )
            for region, nomination in cells
        ],
    )
