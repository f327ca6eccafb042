"""Judging follows the contest's stages: the submission close opens the regional stage, the
regional close opens the republican stage, and the public vote's close brings the certified
tally that people's choice is decided on."""

from __future__ import annotations

from typing import Any

from contest_contracts.common import StageKind
from contest_contracts.envelope import Envelope
from contest_contracts.events.stages import StageClosed
from contest_judging.context import JudgingContext
from contest_judging.proceedings.assigning import open_stage
from contest_judging.proceedings.awarding import record_public_vote

_OPENS_NEXT = {StageKind.SUBMISSION: StageKind.REGIONAL, StageKind.REGIONAL: StageKind.REPUBLICAN}


async def follow_stage_closed(context: JudgingContext, envelope: Envelope[Any]) -> None:
    """Open the next judging stage, or keep the public vote's tally."""
    event: StageClosed = envelope.data
    following = _OPENS_NEXT.get(event.stage)
    if following is not None:
        await open_stage(context, event.contest_id, following, envelope)
    elif event.stage == StageKind.PUBLIC_VOTE:
        await record_public_vote(context, event.contest_id, event)
