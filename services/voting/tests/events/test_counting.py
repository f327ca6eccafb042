"""The counting of ballots on the real store: a consumer that died between writing ballots
and tallying them leaves nothing miscounted, and malformed records are dead-lettered while
the rest of the batch is counted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from contest_contracts.envelope import Envelope
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_contracts.wire import to_record
from contest_runtime.settings import InfraSettings
from contest_voting.events.counting import count_batch
from contest_voting.store.ballots import Ballot

NOMINATION = "best-social-project"


def _ballot(contest: str, application: str, partition: int = 0) -> Ballot:
    return Ballot(
        receipt_id=str(uuid.uuid4()),
        contest_id=contest,
        nomination_code=NOMINATION,
        application_id=application,
        voter_key=uuid.uuid4().hex * 2,
        voter_key_version=1,
        client_address="127.0.0.1",
        cast_at=datetime.now(UTC),
        partition=partition,
    )


async def test_ballots_written_by_a_consumer_that_died_before_tallying_are_counted_once(
    voting: Any,
) -> None:
    ballots = voting.context.ballots
    contest = f"contest-{uuid.uuid4().hex[:8]}"
    partition = 900 + uuid.uuid4().int % 1000  # a partition no real consumer writes
    # A first consumer wrote these ballots and died before its tally increment.
    stranded = [_ballot(contest, "app-a", partition) for _ in range(3)]
    await ballots.ballots.insert_many(
        [
            {"_id": b.receipt_id, **b.model_dump(exclude={"receipt_id"}), "tallied": False}
            for b in stranded
        ]
    )
    # The next owner of the partition reads the same records again, plus new ones.
    again = [*stranded, _ballot(contest, "app-b", partition)]
    assert await ballots.count(partition, again) == 1
    assert await ballots.tally(contest, NOMINATION) == {"app-a": 3, "app-b": 1}
    assert await ballots.recount(contest, NOMINATION) == await ballots.tally(contest, NOMINATION)
    # Once more, as after a crash before the offset commit: nothing changes.
    assert await ballots.count(partition, again) == 0
    assert await ballots.tally(contest, NOMINATION) == {"app-a": 3, "app-b": 1}


def _record(
    offset: int, value: bytes, headers: list[tuple[str, bytes]]
) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic=VOTES.name,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=headers,
    )


async def test_a_malformed_vote_is_dead_lettered_and_the_rest_of_the_batch_counted(
    voting: Any, infra_settings: InfraSettings
) -> None:
    contest = f"contest-{uuid.uuid4().hex[:8]}"
    good = _ballot(contest, "app-a")
    envelope = Envelope.of(
        VoteCast(
            receipt_id=good.receipt_id,
            contest_id=contest,
            nomination_code=NOMINATION,
            application_id="app-a",
            voter_key=good.voter_key,
            voter_key_version=1,
            client_address="127.0.0.1",
            cast_at=good.cast_at,
        ),
        source="/contest/voting",
        subject=good.voter_key,
    )
    record = to_record(envelope)
    headers = [(k, v.encode()) for k, v in record.headers.items()]
    partition = TopicPartition(VOTES.name, 1000 + uuid.uuid4().int % 1000)
    counted = await count_batch(
        partition,
        [_record(1, b"{not json", headers), _record(2, record.value, headers)],
        voting.context.ballots,
        voting.app.state.runtime.dead_letters,
    )
    assert counted == 1
    assert await voting.context.ballots.tally(contest, NOMINATION) == {"app-a": 1}
    dead = AIOKafkaConsumer(
        VOTES.dead_letter,
        bootstrap_servers=infra_settings.kafka_bootstrap_servers,
        group_id=f"dlq-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await dead.start()
    try:
        found = None
        for _ in range(40):
            batches = await dead.getmany(timeout_ms=500)
            found = next(
                (r for rs in batches.values() for r in rs if r.value == b"{not json"), None
            )
            if found is not None:
                break
    finally:
        await dead.stop()
    assert found is not None
    assert dict(found.headers)["x-error-reason"] == b"invalid_json"
