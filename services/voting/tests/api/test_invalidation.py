"""Fraud invalidation on the real broker and store: ballots of a voter, or of a time window
and address range, leave the tally at once, the recount agrees, every decision is audited,
and the certified tally says how many ballots were invalidated."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio

from contest_contracts.common import StageKind
from contest_contracts.envelope import new_event_id
from contest_contracts.events.stages import StageClosed
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import STAGES, VOTES
from contest_runtime.auth import Role
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings
from contest_voting.domain.voters import voter_key

NOMINATION = "best-social-project"
SECRET = b"voter-key-secret-of-the-voting-tests"
FRAUD = "a burst of votes from one data centre"


def a_phone() -> str:
    return f"+7708{random.randrange(10**7):07d}"


@pytest_asyncio.fixture(loop_scope="session")
async def votes(infra_settings: InfraSettings) -> AsyncIterator[EventPublisher]:
    """A publisher of votes as the vote path would write them, with chosen addresses and
    times (what an investigation later selects by)."""
    broker = make_broker(infra_settings, client_id="vote-path-stand-in")
    await broker.start()
    yield EventPublisher(broker, source="/contest/voting")
    await broker.stop()


async def _cast(
    votes: EventPublisher, contest: str, choice: str, phone: str, address: str, at: datetime
) -> str:
    key = voter_key(phone, SECRET)
    vote = VoteCast(
        receipt_id=new_event_id(),  # receipts are UUIDv7, as the vote path makes them
        contest_id=contest,
        nomination_code=NOMINATION,
        application_id=choice,
        voter_key=key,
        voter_key_version=1,
        client_address=address,
        cast_at=at,
    )
    await votes.publish(VOTES, vote, subject=key)
    return vote.receipt_id


async def _tally(voting: Any, contest: str, eventually: Any, total: int) -> dict[str, int]:
    view = await voting.tally_once(contest, eventually, lambda v: v["participation"] == total)
    return {e["application_id"]: e["votes"] for e in view["entries"] if e["votes"]}


async def test_invalidated_ballots_leave_the_tally_and_the_certified_tally_counts_them(
    voting: Any, eventually: Any, votes: EventPublisher, bearer: Any, recording: Any
) -> None:
    published = await recording(STAGES)
    definition, (first, second, _) = await voting.open_vote(eventually)
    contest = definition.contest_id
    burst_at = datetime.now(UTC) - timedelta(minutes=10)
    schemer = a_phone()
    receipts = {
        "schemer": await _cast(votes, contest, first, schemer, "192.0.2.7", burst_at),
        "burst-1": await _cast(votes, contest, first, a_phone(), "10.1.0.5", burst_at),
        "burst-2": await _cast(votes, contest, first, a_phone(), "10.1.200.9", burst_at),
        "other network": await _cast(votes, contest, first, a_phone(), "10.2.0.1", burst_at),
        "other time": await _cast(
            votes, contest, second, a_phone(), "10.1.0.6", burst_at - timedelta(hours=1)
        ),
        "ipv6": await _cast(votes, contest, second, a_phone(), "2001:db8::1", burst_at),
    }
    ballots = voting.context.ballots
    await eventually(lambda: _counted(ballots, receipts.values()))
    assert await _tally(voting, contest, eventually, 6) == {first: 4, second: 2}

    url = f"/contests/{contest}/invalidations"
    operator = bearer(Role.OPERATOR, subject="fraud-desk")
    window = {
        "cast_from": (burst_at - timedelta(minutes=1)).isoformat(),
        "cast_until": (burst_at + timedelta(minutes=1)).isoformat(),
        "client_network": "10.1.0.0/16",
    }
    # A preview says what the decision would take out, and writes nothing.
    previewed = await voting.http.post(
        f"{url}/preview", json={"reason": FRAUD, "window": window}, headers=operator
    )
    assert previewed.status_code == 200, previewed.text
    assert previewed.json()["ballots_invalidated"] == {NOMINATION: 2}
    assert previewed.json()["choices"] == {NOMINATION: {first: 2}}
    assert previewed.json()["selection"]["client_network"] == "10.1.0.0/16"
    assert (await voting.http.get(url, headers=operator)).json() == []
    assert (await voting.http.get(f"/receipts/{receipts['burst-1']}")).json()["valid"] is True
    assert await _tally(voting, contest, eventually, 6) == {first: 4, second: 2}
    by_voter = await voting.http.post(
        url, json={"reason": "SIM farm", "voter": {"phone": schemer}}, headers=operator
    )
    assert by_voter.status_code == 201, by_voter.text
    assert by_voter.json()["ballots_invalidated"] == {NOMINATION: 1}
    by_window = await voting.http.post(
        url, json={"reason": FRAUD, "window": window}, headers=operator
    )
    assert by_window.json()["ballots_invalidated"] == {NOMINATION: 2}
    again = await voting.http.post(url, json={"reason": FRAUD, "window": window}, headers=operator)
    assert again.json()["ballots_invalidated"] == {}
    after = await voting.http.post(
        f"{url}/preview", json={"reason": FRAUD, "window": window}, headers=operator
    )
    assert after.json()["ballots_invalidated"] == {}  # already invalid: nothing more to take

    assert await _tally(voting, contest, eventually, 3) == {first: 1, second: 2}
    assert await ballots.recount(contest, NOMINATION) == await ballots.tally(contest, NOMINATION)
    receipt = (await voting.http.get(f"/receipts/{receipts['burst-2']}")).json()
    assert (receipt["counted"], receipt["valid"]) == (True, False)
    audit = (await voting.http.get(url, headers=operator)).json()
    assert [(a["reason"], a["by"], a["ballots_invalidated"]) for a in audit] == [
        ("SIM farm", "fraud-desk", {NOMINATION: 1}),
        (FRAUD, "fraud-desk", {NOMINATION: 2}),
        (FRAUD, "fraud-desk", {}),
    ]
    assert audit[0]["selection"] == {"voter_key": voter_key(schemer, SECRET)}
    assert audit[1]["selection"]["client_network"] == "10.1.0.0/16"

    closed = await voting.http.post(f"/contests/{contest}/vote/close", headers=operator)
    assert closed.status_code == 202, closed.text
    await eventually(lambda: _public_vote_closes(published, contest), timeout_s=30)
    (event,) = _public_vote_closes(published, contest)
    (tally,) = event.data.summary.tallies
    assert (tally.ballots_counted, tally.ballots_invalidated) == (3, 3)
    assert {c.application_id: c.votes for c in tally.choices if c.votes} == {first: 1, second: 2}
    late = await voting.http.post(
        url, json={"reason": "too late", "voter": {"phone": a_phone()}}, headers=operator
    )
    assert (late.status_code, late.json()["code"]) == (409, "vote_certified")
    late_preview = await voting.http.post(
        f"{url}/preview",
        json={"reason": "too late", "voter": {"phone": a_phone()}},
        headers=operator,
    )
    assert (late_preview.status_code, late_preview.json()["code"]) == (409, "vote_certified")


async def test_only_operators_invalidate_and_bad_requests_change_nothing(
    voting: Any, eventually: Any, votes: EventPublisher, bearer: Any
) -> None:
    definition, (first, *_) = await voting.open_vote(eventually)
    contest = definition.contest_id
    receipt = await _cast(votes, contest, first, a_phone(), "10.9.0.1", datetime.now(UTC))
    await eventually(lambda: _counted(voting.context.ballots, [receipt]))
    url = f"/contests/{contest}/invalidations"
    form = {"reason": "test", "voter": {"phone": a_phone()}}

    for method, path in (("GET", url), ("POST", url), ("POST", f"{url}/preview")):
        anonymous = await voting.http.request(method, path, json=form)
        assert anonymous.status_code == 401
        for role in (Role.APPLICANT, Role.SECRETARY, Role.JUROR, Role.COMMISSION_SECRETARY):
            refused = await voting.http.request(method, path, json=form, headers=bearer(role))
            assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")

    now = datetime.now(UTC)
    window = {
        "cast_from": (now - timedelta(hours=1)).isoformat(),
        "cast_until": (now + timedelta(hours=1)).isoformat(),
        "client_network": "10.9.0.0/16",
    }
    operator = bearer(Role.OPERATOR)
    for bad in (
        {"reason": "neither"},
        {"reason": "both", "voter": {"phone": a_phone()}, "window": window},
        {"voter": {"phone": a_phone()}},
        {"reason": "bad range", "window": {**window, "client_network": "10.9.0.0/99"}},
        {"reason": "reversed", "window": {**window, "cast_until": window["cast_from"]}},
        {"reason": "naive", "window": {**window, "cast_from": "2026-01-01T00:00:00"}},
        {"reason": "no phone", "voter": {"phone": "12345"}},
    ):
        for path in (url, f"{url}/preview"):
            answer = await voting.http.post(path, json=bad, headers=operator)
            assert answer.status_code == 422, (bad, answer.text)
            assert answer.json()["code"] in {"validation_failed", "invalid_phone"}
    assert (await voting.http.get(url, headers=operator)).json() == []
    assert await _tally(voting, contest, eventually, 1) == {first: 1}
    unknown = await voting.http.post("/contests/nope/invalidations", json=form, headers=operator)
    assert unknown.status_code == 404


async def _counted(ballots: Any, receipts: Any) -> bool:
    for receipt in receipts:
        if await ballots.get(receipt) is None:
            return False
    return True


def _public_vote_closes(published: Any, contest: str) -> list[Any]:
    return [e for e in published.of(StageClosed, contest) if e.data.stage == StageKind.PUBLIC_VOTE]
