"""When a contest's public vote takes votes: from the scheduled opening of its
``public_vote`` stage, once the finalists are known, until it closes (at the scheduled
close, or at the ``closed_at`` an operator's close set)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition


class VoteStatus(StrEnum):
    """Whether a public vote takes votes."""

    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


def vote_status(
    definition: ContestDefinition, *, has_choices: bool, closed_at: datetime | None, now: datetime
) -> VoteStatus:
    """The status of a contest's public vote at ``now``."""
    schedule = next((s for s in definition.stages if s.stage == StageKind.PUBLIC_VOTE), None)
    if (closed_at is not None and now >= closed_at) or (
        schedule is not None and now >= schedule.closes_at
    ):
        return VoteStatus.CLOSED
    if schedule is None or now < schedule.opens_at or not has_choices:
        return VoteStatus.NOT_OPEN
    return VoteStatus.OPEN
