"""A topic's end offsets are where its records end, also when producers write batches."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiokafka import AIOKafkaProducer

from contest_contracts.topics import VOTES, Topic
from contest_local.infra import Endpoints
from contest_runtime.offsets import end_offsets

pytestmark = pytest.mark.infra


async def test_end_offsets_count_every_record_of_batched_writes(
    infrastructure: Endpoints, new_topic: Callable[..., Awaitable[Topic]]
) -> None:
    topic = await new_topic(VOTES, partitions=4)
    servers = infrastructure.kafka_bootstrap_servers
    assert await end_offsets(servers, topic.name) == {0: 0, 1: 0, 2: 0, 3: 0}

    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=20)
    await producer.start()
    try:
        # Sent without waiting in between, so they travel in batches of many records.
        sent = [await producer.send(topic.name, b"vote", key=f"{i}".encode()) for i in range(500)]
        written = await asyncio.gather(*sent)
    finally:
        await producer.stop()

    expected = {p: 0 for p in range(4)}
    for record in written:
        expected[record.partition] = max(expected[record.partition], record.offset + 1)
    assert sum(expected.values()) == 500
    assert await end_offsets(servers, topic.name) == expected
