"""The demo contest the local platform loads, with its schedule moved to today: the 2025
edition's stages keep their lengths and the gaps between them, and submission opened an
hour ago, so a newcomer can apply at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import yaml

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition, StageSchedule
from contest_intake.domain.definitions import DEMO_CONTEST_FILE, parse_definition


def edition_schedule(
    submission_opens: datetime, submission_closes: datetime, judged: datetime
) -> list[StageSchedule]:
    """The stages of an edition: submission, the regional stage until ``judged``, then the
    republican stage and the public vote side by side for a day, then the awards."""
    decided = judged + timedelta(days=1)
    times = [
        (StageKind.SUBMISSION, submission_opens, submission_closes),
        (StageKind.REGIONAL, submission_closes, judged),
        (StageKind.REPUBLICAN, judged, decided),
        (StageKind.PUBLIC_VOTE, judged, decided),
        (StageKind.AWARDS, decided, decided + timedelta(hours=3)),
    ]
    return [StageSchedule(stage=kind, opens_at=o, closes_at=c) for kind, o, c in times]


def rebased(definition: ContestDefinition, now: datetime) -> ContestDefinition:
    """The same contest with every stage moved by one shift, in whole minutes, so that
    submission opened an hour before ``now``."""
    submission = next(s for s in definition.stages if s.stage == StageKind.SUBMISSION)
    shift = now - timedelta(hours=1) - submission.opens_at
    shift = timedelta(minutes=round(shift / timedelta(minutes=1)))
    stages = [
        stage.model_copy(
            update={"opens_at": stage.opens_at + shift, "closes_at": stage.closes_at + shift}
        )
        for stage in definition.stages
    ]
    return definition.model_copy(update={"stages": stages})


def demo_contest_file(workdir: Path, now: datetime) -> Path:
    """Write the demo contest, rebased to ``now``, into ``workdir``; its path."""
    shipped = resources.files("contest_intake.contests").joinpath(DEMO_CONTEST_FILE)
    definition = rebased(parse_definition(shipped.read_text(encoding="utf-8")), now)
    path = workdir / DEMO_CONTEST_FILE
    document = definition.model_dump(mode="json")
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path
