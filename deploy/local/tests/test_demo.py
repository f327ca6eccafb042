"""The demo contest's schedule moves to today and keeps its shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

from contest_contracts.common import StageKind
from contest_intake.domain.definitions import DEMO_CONTEST_FILE, parse_definition
from contest_local.demo import demo_contest_file

NOW = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


def test_the_demo_is_open_for_applications_now_and_its_stages_keep_their_shape(
    tmp_path: Path,
) -> None:
    shipped = parse_definition(
        resources.files("contest_intake.contests").joinpath(DEMO_CONTEST_FILE).read_text()
    )
    moved = parse_definition(demo_contest_file(tmp_path, NOW).read_bytes())

    submission = next(s for s in moved.stages if s.stage == StageKind.SUBMISSION)
    assert submission.opens_at == NOW - timedelta(hours=1)
    assert submission.opens_at <= NOW < submission.closes_at
    shift = moved.stages[0].opens_at - shipped.stages[0].opens_at
    for before, after in zip(shipped.stages, moved.stages, strict=True):
        assert (after.stage, after.opens_at, after.closes_at) == (
            before.stage,
            before.opens_at + shift,
            before.closes_at + shift,
        )
    assert moved.model_copy(update={"stages": shipped.stages}) == shipped
