"""The broker stalled (SIGSTOP) while votes are cast, then resumed: what every voter was told
is what is counted. And a vote the broker did not confirm, kept by the service, reaches the
tally on its own and holds its voter's seat meanwhile.

The broker is one of the test's own (an embedded Tansu on a free loopback port): stopping the
session's broker would stall every other test's service with it. The voting service runs in
the test's process on that broker and the session's store.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from httpx import Response

from contest_contracts.envelope import new_event_id
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES, topics_to_create
from contest_local.embedded import LocalProcess, tansu_broker
from contest_local.infra import TANSU_SESSION_TIMEOUT_MS, Endpoints
from contest_runtime.kafka import ensure_topics, envelope_in_flow
from contest_runtime.outbox import outbox_entry
from contest_runtime.settings import InfraSettings

NOMINATION = "best-social-project"

PUBLISH_TIMEOUT_S = 1.0


def a_phone() -> str:
    return f"+7708{random.randrange(10**7):07d}"


@dataclass
class Stallable:
    """A voting service on a broker the test can stop and resume."""

    voting: Any
    """The conftest's ``RunningVoting``."""
    broker: LocalProcess

    def stall(self) -> None:
        """Freeze the broker: connections stay open, nothing is answered."""
        assert self.broker.process is not None
        os.killpg(self.broker.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let the broker go on where it stopped."""
        assert self.broker.process is not None
        os.killpg(self.broker.process.pid, signal.SIGCONT)


@pytest_asyncio.fixture(loop_scope="session")
async def stallable(
    tmp_path: Path, infrastructure: Endpoints, voting_on: Any
) -> AsyncIterator[Stallable]:
    broker = tansu_broker(tmp_path)
    await asyncio.to_thread(broker.start)
    try:
        await ensure_topics(broker.address, topics_to_create())
        infra = InfraSettings(
            kafka_bootstrap_servers=broker.address,
            kafka_enable_idempotence=False,
            kafka_session_timeout_ms=TANSU_SESSION_TIMEOUT_MS,
            kafka_heartbeat_interval_ms=TANSU_SESSION_TIMEOUT_MS // 6,
            mongodb_uri=infrastructure.mongodb_uri,
            startup_timeout_s=90,
            kafka_join_timeout_s=15,
        )
        async with voting_on(infra, publish_timeout_s=PUBLISH_TIMEOUT_S) as voting:
            yield Stallable(voting, broker)
    finally:
        if broker.process is not None and broker.process.poll() is None:
            os.killpg(broker.process.pid, signal.SIGCONT)  # a stopped process ignores TERM
        await asyncio.to_thread(broker.stop)


@dataclass
class Answer:
    """One vote a voter sent and what they were told."""

    phone: str
    choice: str
    status: int
    body: dict[str, Any]

    @property
    def receipt(self) -> str | None:
        """The receipt the voter got, if any."""
        found = self.body.get("receipt_id")
        return found if isinstance(found, str) else None


async def test_votes_cast_while_the_broker_stalls_are_counted_as_their_voters_were_told(
    stallable: Stallable, eventually: Any
) -> None:
    voting = stallable.voting
    definition, finalists = await voting.open_vote(eventually)
    contest = definition.contest_id

    async def vote(phone: str, choice: str) -> Answer:
        answer: Response = await voting.http.post(
            f"/contests/{contest}/votes",
            json={"nomination_code": NOMINATION, "application_id": choice},
            headers=voting.minted(phone),
        )
        return Answer(phone, choice, answer.status_code, answer.json())

    before = [await vote(a_phone(), random.choice(finalists)) for _ in range(3)]
    stallable.stall()
    try:
        stalled_phones = [a_phone() for _ in range(12)]
        stalled = await asyncio.gather(
            *(vote(phone, finalists[i % 3]) for i, phone in enumerate(stalled_phones))
        )
        # Voters who try again with another choice, as a 503 "try again" would have told them.
        retried = await asyncio.gather(
            *(vote(phone, finalists[(i + 1) % 3]) for i, phone in enumerate(stalled_phones[:6]))
        )
        receipts_meanwhile = [
            (await voting.http.get(f"/receipts/{a.receipt}")).json()
            for a in stalled
            if a.receipt is not None
        ]
    finally:
        stallable.resume()
    retried += [await vote(phone, finalists[2]) for phone in stalled_phones[6:9]]
    after = [await vote(a_phone(), random.choice(finalists)) for _ in range(3)]
    answers = [*before, *stalled, *retried, *after]

    # Nobody is told "not counted" of a vote that may still be counted: while the broker
    # does not answer, a vote is answered 202 `uncertain` with its receipt.
    assert [(a.status, a.body.get("status")) for a in stalled] == [(202, "uncertain")] * 12
    assert all(r["status"] == "pending" and not r["counted"] for r in receipts_meanwhile)
    assert {(a.status, a.body.get("code")) for a in retried} == {(409, "already_voted")}

    told_counted = {a.receipt: a for a in answers if a.status == 202}
    assert all(a.status in (202, 409) for a in answers), [a for a in answers if a.status >= 500]

    async def settled() -> bool:
        for receipt in told_counted:
            check = (await voting.http.get(f"/receipts/{receipt}")).json()
            if check["status"] not in ("counted", "refused"):
                return False
        return True

    await eventually(settled, timeout_s=60)
    for receipt in told_counted:
        check = (await voting.http.get(f"/receipts/{receipt}")).json()
        assert (check["status"], check["counted"], check["refused"]) == ("counted", True, None)

    ballots = voting.context.ballots.ballots
    counted = {
        document["voter_key"]: (document["_id"], document["application_id"])
        async for document in ballots.find({"contest_id": contest})
    }
    expected = {voting.voter_key_of(a.phone): (a.receipt, a.choice) for a in told_counted.values()}
    assert counted == expected
    assert not await voting.context.unconfirmed.unsent(contest)


async def test_a_vote_kept_unconfirmed_is_sent_by_the_relay_counted_and_holds_its_seat(
    voting: Any, eventually: Any
) -> None:
    """A vote whose first publish never came back (lost with its producer's queue, or failed
    after the answer): the kept copy alone brings it to the tally, and until then its voter
    cannot vote again in the nomination on any replica."""
    definition, (first, second, _) = await voting.open_vote(eventually)
    contest = definition.contest_id
    context = voting.context
    phone = a_phone()
    vote = VoteCast(
        receipt_id=new_event_id(),
        contest_id=contest,
        nomination_code=NOMINATION,
        application_id=first,
        voter_key=voting.voter_key_of(phone),
        voter_key_version=1,
        client_address="127.0.0.1",
        cast_at=datetime.now(UTC),
    )
    envelope = envelope_in_flow(vote, source="/contest/voting", subject=vote.voter_key)
    await context.unconfirmed.keep(vote, outbox_entry(VOTES, envelope))
    context.rules.pop(contest, None)  # as another replica would read them next

    again = await voting.http.post(
        f"/contests/{contest}/votes",
        json={"nomination_code": NOMINATION, "application_id": second},
        headers=voting.minted(phone),
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_voted")
    receipt = f"/receipts/{vote.receipt_id}"
    pending = (await voting.http.get(receipt)).json()
    assert (pending["status"], pending["counted"], pending["nomination_code"]) == (
        "pending",
        False,
        NOMINATION,
    )

    await eventually(lambda: _status_is(voting, receipt, "counted"))
    assert await context.ballots.tally(contest, NOMINATION) == {first: 1}
    await eventually(lambda: _forgotten(context, vote.receipt_id))
    assert (await voting.http.get(receipt)).json()["status"] == "counted"


async def _status_is(voting: Any, receipt: str, status: str) -> bool:
    return bool((await voting.http.get(receipt)).json()["status"] == status)


async def _forgotten(context: Any, receipt_id: str) -> bool:
    return await context.unconfirmed.get(receipt_id) is None
