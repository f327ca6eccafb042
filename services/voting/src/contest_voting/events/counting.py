"""The tally consumer: counts ``contest.votes.v1`` in batches, exactly once.

It reads with aiokafka's ``getmany`` (one message at a time would cap counting far below
the rate votes are accepted), writes each partition's batch to the store, and commits the
partition's offset only after the write. A malformed record goes to the dead-letter topic
and counting goes on; a failed write seeks back and retries the batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_runtime.consumers import DeadLetters, decode
from contest_runtime.settings import ServiceSettings
from contest_voting.store.ballots import Ballot, Ballots

log = logging.getLogger(__name__)


def tally_consumer(settings: ServiceSettings, group_id: str) -> AIOKafkaConsumer:
    """A consumer of the votes topic that commits only when told to."""
    infra = settings.infra
    return AIOKafkaConsumer(
        VOTES.name,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        group_id=group_id,
        client_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=infra.kafka_session_timeout_ms,
        heartbeat_interval_ms=infra.kafka_heartbeat_interval_ms,
    )


async def count_votes(
    consumer: AIOKafkaConsumer,
    ballots: Ballots,
    dead_letters: DeadLetters,
    *,
    max_records: int = 1000,
    retry_s: float = 1.0,
) -> None:
    """Count forever (a background job of the service); the consumer is started here."""
    try:
        await consumer.start()
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=max_records)
            for partition, records in batches.items():
                try:
                    await count_batch(partition, records, ballots, dead_letters)
                    await consumer.commit({partition: records[-1].offset + 1})
                    await ballots.counted_through(partition.partition, records[-1].offset + 1)
                except Exception:
                    log.exception("counting a batch failed; it is read again")
                    consumer.seek(partition, records[0].offset)
                    await asyncio.sleep(retry_s)
    finally:
        await consumer.stop()


async def count_batch(
    partition: TopicPartition,
    records: Sequence[ConsumerRecord[Any, Any]],
    ballots: Ballots,
    dead_letters: DeadLetters,
) -> int:
    """Write one partition's batch; returns the ballots that were new."""
    valid: list[Ballot] = []
    for record in records:
        envelope = await decode(VOTES, record, dead_letters)
        if envelope is not None:
            vote: VoteCast = envelope.data
            valid.append(Ballot(**vote.model_dump(), partition=partition.partition))
    return await ballots.count(partition.partition, valid)
