"""Closing the public vote on the real broker and store: no votes after the close, and a
certified tally equal to the votes cast, published for judging's people's choice."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from contest_contracts.common import StageKind
from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.stages import StageClosed, StageOpened
from contest_contracts.topics import STAGES
from contest_runtime.auth import Role
from contest_voting.closing import closing_pass

NOMINATION = "best-social-project"


def a_phone() -> str:
    return f"+7707{random.randrange(10**7):07d}"


async def _vote(voting: Any, contest: str, choice: str, headers: dict[str, str]) -> Any:
    return await voting.http.post(
        f"/contests/{contest}/votes",
        json={"nomination_code": NOMINATION, "application_id": choice},
        headers=headers,
    )


async def _status(voting: Any, contest: str, status: str) -> bool:
    return bool((await voting.http.get(f"/contests/{contest}/vote")).json()["status"] == status)


def _closes(published: Any, contest: str) -> list[Any]:
    return [e for e in published.of(StageClosed, contest) if e.data.stage == StageKind.PUBLIC_VOTE]


async def test_an_operator_closes_the_vote_and_the_certified_tally_is_published(
    voting: Any, eventually: Any, recording: Any, bearer: Any
) -> None:
    published = await recording(STAGES)
    definition, (first, second, third) = await voting.open_vote(
        eventually, visibility=TallyVisibility.HIDDEN
    )
    contest = definition.contest_id
    for choice in (first, first, second):
        answer = await _vote(voting, contest, choice, await voting.verified(a_phone(), eventually))
        assert answer.status_code == 202
    late_voter = await voting.verified(a_phone(), eventually)

    url = f"/contests/{contest}/vote/close"
    assert (await voting.http.post(url)).status_code == 401
    assert (await voting.http.post(url, headers=bearer(Role.JUROR))).status_code == 403
    asked_at = datetime.now(UTC)
    closed = await voting.http.post(url, headers=bearer(Role.OPERATOR, subject="op-1"))
    assert closed.status_code == 202, closed.text
    # Not "open" with a close time, which reads as a close that failed: closing, from when.
    assert closed.json()["status"] == "closing"
    takes_effect = datetime.fromisoformat(closed.json()["closed_at"])
    in_effect_after = timedelta(seconds=voting.context.settings.ballot_rules_cache_s)
    assert takes_effect >= asked_at + in_effect_after
    await eventually(lambda: _status(voting, contest, "closed"))
    refused = await _vote(voting, contest, third, late_voter)
    assert refused.status_code == 409
    assert refused.json()["code"] == "vote_closed"
    again = await voting.http.post(url, headers=bearer(Role.OPERATOR))
    assert again.json()["code"] == "vote_closed"

    await eventually(lambda: _closes(published, contest), timeout_s=30)
    (event,) = _closes(published, contest)
    assert event.data.closed_by == "op-1"
    summary = event.data.summary
    assert summary.voters == 3
    (tally,) = summary.tallies
    assert [(c.application_id, c.votes) for c in tally.choices] == [
        (first, 2),
        (second, 1),
        (third, 0),
    ]
    assert tally.ballots_counted == 3

    state = (await voting.http.get(f"/contests/{contest}/vote")).json()
    assert state["status"] == "closed" and state["certified"] is True
    view = await voting.tally_once(contest, eventually, lambda v: v["certified"])
    assert [e["votes"] for e in view["entries"]] == [2, 1, 0]  # hidden no more


async def test_the_vote_closes_at_its_scheduled_close(
    voting: Any, eventually: Any, recording: Any
) -> None:
    published = await recording(STAGES)
    definition, (first, *_) = await voting.open_vote(eventually, closes_in=timedelta(seconds=6))
    contest = definition.contest_id
    answer = await _vote(voting, contest, first, await voting.verified(a_phone(), eventually))
    assert answer.status_code == 202
    await eventually(lambda: _closes(published, contest), timeout_s=40)
    (event,) = _closes(published, contest)
    assert event.data.closed_by == "schedule"
    assert event.data.summary.tallies[0].choices[0].votes == 1
    # Its opening was announced too, before the close: subscribers learn it opened. (Other
    # voting deployments of the test session share the broker and announce it as well.)
    vote = await voting.context.public_votes.get(contest)
    assert vote is not None and vote.opened_at is not None
    announced = [e for e in published.of(StageOpened, contest) if e.data.stage == "public_vote"]
    schedule = next(s for s in definition.stages if s.stage == StageKind.PUBLIC_VOTE)
    assert announced
    for opened in announced:
        assert opened.data.closes_at == schedule.closes_at
        assert schedule.opens_at <= opened.data.opened_at <= event.data.closed_at
    # Once: more passes announce nothing again.
    before = len(published.of(StageOpened, contest))
    await closing_pass(voting.context, timedelta(seconds=1))
    await asyncio.sleep(0.5)
    assert len(published.of(StageOpened, contest)) == before
