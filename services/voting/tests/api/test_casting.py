"""Casting and counting on the real broker and store: 202 with a receipt, counted once
however often a vote is delivered or repeated, a recount from the ballots equals the tally,
and what the public sees follows the contest's visibility rule."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from contest_contracts.envelope import new_event_id
from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings
from contest_voting.domain.voters import voter_key

NOMINATION = "best-social-project"

SECRET = b"voter-key-secret-of-the-voting-tests"


def a_phone() -> str:
    return f"+7705{random.randrange(10**7):07d}"


async def _counted(voting: Any, receipt_id: str) -> bool:
    answer = await voting.http.get(f"/receipts/{receipt_id}")
    return bool(answer.json()["counted"])


async def test_a_verified_vote_is_accepted_counted_and_shown_in_the_live_tally(
    voting: Any, eventually: Any
) -> None:
    definition, (first, second, third) = await voting.open_vote(eventually)
    contest = definition.contest_id
    voters = [await voting.verified(a_phone(), eventually) for _ in range(3)]
    receipts = []
    for headers, choice in zip(voters, (first, first, second), strict=True):
        answer = await voting.http.post(
            f"/contests/{contest}/votes",
            json={"nomination_code": NOMINATION, "application_id": choice},
            headers=headers,
        )
        assert answer.status_code == 202, answer.text
        receipts.append(answer.json()["receipt_id"])
    for receipt in receipts:
        await eventually(lambda r=receipt: _counted(voting, r))

    tally = await voting.tally_once(contest, eventually, lambda v: v["participation"] == 3)
    assert [(e["application_id"], e["rank"], e["votes"]) for e in tally["entries"]] == [
        (first, 1, 2),
        (second, 2, 1),
        (third, 3, 0),
    ]

    again = await voting.http.post(
        f"/contests/{contest}/votes",
        json={"nomination_code": NOMINATION, "application_id": second},
        headers=voters[0],
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_voted"


async def test_a_redelivered_or_repeated_vote_counts_once_and_the_recount_equals_the_tally(
    voting: Any, eventually: Any, infra_settings: InfraSettings
) -> None:
    definition, (first, second, _) = await voting.open_vote(eventually)
    contest = definition.contest_id
    broker = make_broker(infra_settings, client_id="replayer")
    await broker.start()
    replayer = EventPublisher(broker, source="/contest/voting")
    try:
        key = voter_key(a_phone(), SECRET)
        vote = VoteCast(
            receipt_id=new_event_id(),
            contest_id=contest,
            nomination_code=NOMINATION,
            application_id=first,
            voter_key=key,
            voter_key_version=1,
            client_address="127.0.0.1",
            cast_at=datetime.now(UTC),
        )
        # The same vote delivered three times (a producer retry, a replay), and the same
        # voter voting again in the same nomination under a new receipt.
        for _ in range(3):
            await replayer.publish(VOTES, vote, subject=key)
        repeated = vote.model_copy(update={"receipt_id": new_event_id(), "application_id": second})
        await replayer.publish(VOTES, repeated, subject=key)
        others = [
            vote.model_copy(
                update={
                    "receipt_id": new_event_id(),
                    "voter_key": voter_key(a_phone(), SECRET),
                    "application_id": second,
                }
            )
            for i in range(5)
        ]
        for other in others:
            await replayer.publish(VOTES, other, subject=other.voter_key)
    finally:
        await broker.stop()

    ballots = voting.context.ballots
    await eventually(lambda: _total(ballots, contest, 6))

    async def repeat_handled() -> bool:
        # Other voters' partitions may be counted before the repeat behind the first vote.
        answer = await voting.http.get(f"/receipts/{repeated.receipt_id}")
        return bool(answer.json()["status"] != "unknown")

    await eventually(repeat_handled)
    tally = await ballots.tally(contest, NOMINATION)
    assert tally == {first: 1, second: 5}
    assert await ballots.recount(contest, NOMINATION) == tally
    receipt = (await voting.http.get(f"/receipts/{repeated.receipt_id}")).json()
    assert (receipt["status"], receipt["counted"], receipt["refused"]) == (
        "refused",
        False,
        "already_voted",
    )
    first_receipt = (await voting.http.get(f"/receipts/{vote.receipt_id}")).json()
    assert (first_receipt["status"], first_receipt["counted"]) == ("counted", True)


async def test_a_receipt_page_knows_a_receipt_id_from_anything_else(voting: Any) -> None:
    """Receipts are UUIDv7: anything else names no receipt (404); a receipt id nothing is
    counted or kept under says so, without claiming a vote that was never seen."""
    for not_a_receipt in (
        "anything",
        "receipt-again",
        str(uuid.uuid4()),  # a UUID, but not version 7
        new_event_id().replace("-", ""),  # not the canonical spelling
        new_event_id() + "0",
    ):
        answer = await voting.http.get(f"/receipts/{not_a_receipt}")
        assert answer.status_code == 404, not_a_receipt
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "unknown_receipt"
    unknown = new_event_id()
    answer = await voting.http.get(f"/receipts/{unknown.upper()}")
    assert answer.status_code == 200
    assert answer.json() == {
        "receipt_id": unknown,
        "status": "unknown",
        "counted": False,
        "valid": None,
        "refused": None,
        "contest_id": None,
        "nomination_code": None,
        "cast_at": None,
    }


async def _total(ballots: Any, contest: str, expected: int) -> bool:
    return sum((await ballots.tally(contest, NOMINATION)).values()) == expected


async def test_hidden_counts_show_nothing_and_ranks_only_shows_ranks_alone(
    voting: Any, eventually: Any
) -> None:
    for visibility in (TallyVisibility.HIDDEN, TallyVisibility.RANKS_ONLY):
        definition, (first, *_) = await voting.open_vote(eventually, visibility=visibility)
        contest = definition.contest_id
        answer = await voting.http.post(
            f"/contests/{contest}/votes",
            json={"nomination_code": NOMINATION, "application_id": first},
            headers=await voting.verified(a_phone(), eventually),
        )
        receipt = answer.json()["receipt_id"]
        await eventually(lambda r=receipt: _counted(voting, r))
        counted_by = voting.context.clock()
        tally = await voting.tally_once(
            contest, eventually, lambda v, t=counted_by: datetime.fromisoformat(v["as_of"]) > t
        )
        assert tally["participation"] == 0  # not shown: it could be differenced into counts
        assert all(e.get("votes") is None for e in tally["entries"])
        if visibility == TallyVisibility.HIDDEN:
            assert all(e.get("rank") is None for e in tally["entries"])
        else:
            assert tally["entries"][0] == {"application_id": first, "rank": 1, "votes": None}


async def test_votes_are_refused_without_a_voter_token_outside_the_choices_or_the_window(
    voting: Any, eventually: Any
) -> None:
    definition, (first, *_) = await voting.open_vote(eventually)
    contest = definition.contest_id
    url = f"/contests/{contest}/votes"
    body = {"nomination_code": NOMINATION, "application_id": first}
    assert (await voting.http.post(url, json=body)).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert (await voting.http.post(url, json=body, headers=forged)).status_code == 401
    headers = await voting.verified(a_phone(), eventually)
    not_a_finalist = await voting.http.post(
        url, json={**body, "application_id": "app-elsewhere"}, headers=headers
    )
    assert not_a_finalist.status_code == 422
    assert not_a_finalist.json()["code"] == "not_a_choice"
    no_such_nomination = await voting.http.post(
        url, json={**body, "nomination_code": "best-nothing"}, headers=headers
    )
    assert no_such_nomination.status_code == 422
    assert no_such_nomination.json()["code"] == "unknown_nomination"
    assert "best-nothing" in no_such_nomination.json()["detail"]
    extra = await voting.http.post(url, json={**body, "weight": 10}, headers=headers)
    assert extra.status_code == 422
    unknown = await voting.http.post("/contests/nope/votes", json=body, headers=headers)
    assert unknown.status_code == 404
    assert await voting.context.ballots.ballots.count_documents({"contest_id": contest}) == 0


async def test_a_vote_the_broker_cannot_take_is_answered_503_and_never_counted(
    voting: Any, eventually: Any, infra_settings: InfraSettings
) -> None:
    definition, (first, *_) = await voting.open_vote(eventually)
    headers = await voting.verified(a_phone(), eventually)
    context = voting.context
    working = context.publisher
    unreachable = infra_settings.model_copy(update={"kafka_bootstrap_servers": "127.0.0.1:9"})
    context.publisher = EventPublisher(make_broker(unreachable, client_id="down"), source="x")
    try:
        answer = await voting.http.post(
            f"/contests/{definition.contest_id}/votes",
            json={"nomination_code": NOMINATION, "application_id": first},
            headers=headers,
        )
    finally:
        context.publisher = working
    assert answer.status_code == 503
    assert answer.json()["code"] == "broker_unavailable"
    assert "Retry-After" in answer.headers


async def test_votes_arriving_as_the_ballot_rules_age_out_wait_for_one_read(
    voting: Any, eventually: Any, monkeypatch: Any
) -> None:
    definition, finalists = await voting.open_vote(eventually)
    context = voting.context
    reads: list[str] = []
    read_definition = context.contests.require

    async def counted_read(contest_id: str) -> Any:
        reads.append(contest_id)
        return await read_definition(contest_id)

    monkeypatch.setattr(context.contests, "require", counted_read)
    context.rules.clear()
    answers = await asyncio.gather(
        *(context.ballot_rules(definition.contest_id) for _ in range(50))
    )
    # The service's background jobs read other tests' contests meanwhile.
    assert [r for r in reads if r == definition.contest_id] == [definition.contest_id]
    assert all(rules.choices[NOMINATION] == frozenset(finalists) for rules in answers)
    assert context.reading_rules == {}
