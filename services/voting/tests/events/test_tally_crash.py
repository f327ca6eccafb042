"""The tally consumer killed with SIGKILL in the middle of counting and started again: every
vote is counted once, and the tally equals a recount from the ballots."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_contracts.wire import to_record
from contest_local.embedded import free_port
from contest_local.infra import Endpoints
from contest_local.platform import service_process
from contest_runtime.kafka import envelope_in_flow
from contest_voting.store.ballots import Ballots

NOMINATION = "best-social-project"
VOTERS = 4000
CHOICES = ("app-a", "app-b", "app-c")


def _votes(contest: str) -> tuple[list[VoteCast], Counter[str]]:
    """Votes of distinct voters, each delivered twice, plus a second vote of some voters
    (which must not count); and the tally they must give."""
    first = [
        VoteCast(
            receipt_id=f"receipt-{uuid.uuid4().hex}",
            contest_id=contest,
            nomination_code=NOMINATION,
            application_id=CHOICES[i % 7 % 3],
            voter_key=secrets.token_hex(32),
            voter_key_version=1,
            client_address="127.0.0.1",
            cast_at=datetime.now(UTC),
        )
        for i in range(VOTERS)
    ]
    again = [
        vote.model_copy(update={"receipt_id": f"receipt-{uuid.uuid4().hex}"})
        for vote in first[::10]
    ]
    return [*first, *first, *again], Counter(v.application_id for v in first)


async def _publish(bootstrap_servers: str, votes: list[VoteCast]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:
        sent = []
        for vote in votes:
            record = to_record(envelope_in_flow(vote, source="/test", subject=vote.voter_key))
            headers = [(name, value.encode()) for name, value in record.headers.items()]
            sent.append(
                await producer.send(VOTES.name, record.value, key=record.key, headers=headers)
            )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def test_a_tally_consumer_killed_mid_count_and_restarted_counts_every_vote_once(
    infrastructure: Endpoints, mongo: Any, tmp_path: Path, eventually: Any, unique: Any
) -> None:
    name = unique("voting-crash")
    process = service_process(
        "voting",
        infrastructure,
        tmp_path,
        {
            "AUTH_JWT_KEY": secrets.token_urlsafe(32),
            "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
            "VOTING_TOKEN_SECRET": secrets.token_urlsafe(32),
            "VOTING_MONGODB_DATABASE": name,
            "VOTING_CONSUMER_GROUP": name,
            "VOTING_TALLY_BATCH": "250",
        },
        port=free_port(),  # not the well-known one, which another run may take meanwhile
    )
    contest = f"contest-{uuid.uuid4().hex[:10]}"
    votes, expected = _votes(contest)
    await _publish(infrastructure.kafka_bootstrap_servers, votes)
    ballots = Ballots(mongo[name])

    async def written() -> int:
        return int(await ballots.ballots.count_documents({"contest_id": contest}))

    process.start()
    try:
        await eventually(lambda: _at_least(written, 500), timeout_s=90)
        process.kill()
        assert await written() < VOTERS, "counting finished before the kill"
        process.start()
        await eventually(lambda: _tally_is(ballots, contest, expected), timeout_s=180)
    finally:
        process.stop()
    assert await ballots.recount(contest, NOMINATION) == expected
    assert await written() == VOTERS


async def _at_least(written: Any, n: int) -> bool:
    return bool(await written() >= n)


async def _tally_is(ballots: Ballots, contest: str, expected: Counter[str]) -> bool:
    return await ballots.tally(contest, NOMINATION) == expected
