"""At-least-once consuming: malformed events and failing handlers go to the dead-letter topic,
and the consumer keeps going; an interrupted batch comes again, and a group that starts at
the topics' end resumes where it started."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker

from contest_contracts.envelope import Envelope
from contest_contracts.events import StageClosed, StageOpened
from contest_contracts.samples import SAMPLES
from contest_contracts.topics import STAGES, Topic
from contest_contracts.wire import to_record
from contest_runtime.settings import InfraSettings

pytestmark = pytest.mark.infra


async def produce(infra: InfraSettings, topic: str, value: bytes, headers: dict[str, str]) -> None:
    """Write a raw record, as a foreign or broken producer would."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, key=b"k", headers=[(k, v.encode()) for k, v in headers.items()]
        )
    finally:
        await producer.stop()


async def dead_lettered(
    infra: InfraSettings, topic: Topic, count: int
) -> list[ConsumerRecord[Any, Any]]:
    """Read ``count`` records of the dead-letter topic from the start."""
    reader = AIOKafkaConsumer(
        topic.dead_letter,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        records: list[ConsumerRecord[Any, Any]] = []
        for _ in range(200):
            batch = await reader.getmany(timeout_ms=100)
            records += [r for rs in batch.values() for r in rs]
            if len(records) >= count:
                break
        return records
    finally:
        await reader.stop()


def record_of(data: Any) -> tuple[bytes, dict[str, str]]:
    record = to_record(Envelope.of(data, source="/contest/test", subject="social-protection-2025"))
    return record.value, record.headers


async def test_malformed_events_are_dead_lettered_and_counting_goes_on(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
    unique: Callable[[str], str],
    eventually: Callable[..., Awaitable[None]],
    subscribed_broker: Callable[..., KafkaBroker],
) -> None:
    topic = await new_topic(STAGES, partitions=1)
    group = unique("group")
    handled: list[Envelope[Any]] = []

    async def on_event(envelope: Envelope[Any]) -> None:
        handled.append(envelope)

    broker = subscribed_broker(topic, {StageOpened: on_event, StageClosed: on_event}, group)
    value, headers = record_of(SAMPLES[StageOpened])
    async with broker:
        await broker.start()
        await produce(infra_settings, topic.name, b"{not json", headers)
        await produce(
            infra_settings, topic.name, value, {k: v for k, v in headers.items() if k != "ce_id"}
        )
        await produce(infra_settings, topic.name, b'{"contest_id": 5}', headers)
        await produce(
            infra_settings, topic.name, value, headers | {"ce_type": "kz.contest.unknown"}
        )
        await produce(infra_settings, topic.name, value, headers)
        await eventually(lambda: len(handled) == 1)

    dead = await dead_lettered(infra_settings, topic, 3)
    reasons = [dict(r.headers)["x-error-reason"].decode() for r in dead]
    assert reasons == ["invalid_json", "missing_headers", "invalid_event"]
    first = dict(dead[0].headers)
    assert dead[0].value == b"{not json"  # kept as it was, for replay
    assert first["x-original-topic"].decode() == topic.name
    assert first["x-error-consumer-group"].decode() == group
    assert first["ce_type"].decode() == StageOpened.event_type
    # Times are written in UTC with ``Z``, as everywhere.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", first["x-error-time"].decode())
    assert handled[0].data == SAMPLES[StageOpened]


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_its_tries(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
    unique: Callable[[str], str],
    eventually: Callable[..., Awaitable[None]],
    subscribed_broker: Callable[..., KafkaBroker],
) -> None:
    topic = await new_topic(STAGES, partitions=1)
    group = unique("group")
    tries: dict[str, int] = {}
    handled: list[str] = []

    async def flaky(envelope: Envelope[Any]) -> None:
        tries[envelope.id] = tries.get(envelope.id, 0) + 1
        if isinstance(envelope.data, StageClosed):
            raise RuntimeError("store rejected the write")
        if tries[envelope.id] < 3:
            raise ConnectionError("store briefly unreachable")
        handled.append(envelope.id)

    broker = subscribed_broker(
        topic, {StageOpened: flaky, StageClosed: flaky}, group, attempts=4, backoff_s=0.01
    )
    closed_value, closed_headers = record_of(SAMPLES[StageClosed])
    opened_value, opened_headers = record_of(SAMPLES[StageOpened])
    async with broker:
        await broker.start()
        await produce(infra_settings, topic.name, closed_value, closed_headers)
        await produce(infra_settings, topic.name, opened_value, opened_headers)
        await eventually(lambda: len(handled) == 1)

    dead = await dead_lettered(infra_settings, topic, 1)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["x-error-reason"] == b"handler_failed"
    assert headers["x-error-attempts"] == b"4"
    assert b"store rejected the write" in headers["x-error-detail"]
    assert tries[closed_headers["ce_id"]] == 4
    assert tries[opened_headers["ce_id"]] == 3  # two transient failures, then handled once
    assert handled == [opened_headers["ce_id"]]


async def test_an_interrupted_batch_is_delivered_again_whole_and_committed_after_its_last_event(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
    unique: Callable[[str], str],
    eventually: Callable[..., Awaitable[None]],
    subscribed_broker: Callable[..., KafkaBroker],
) -> None:
    """Events are taken in batches and committed after the batch's last handler: a
    consumer stopped in the middle of a batch (a handler that never finishes) committed
    nothing of that batch, and the next member of the group handles the whole batch again
    (handlers are idempotent), then commits it."""
    topic = await new_topic(STAGES, partitions=1)
    group = unique("group")
    records = [record_of(SAMPLES[StageOpened]) for _ in range(5)]
    ids = [headers["ce_id"] for _, headers in records]
    for value, headers in records:  # all there before the first member reads
        await produce(infra_settings, topic.name, value, headers)
    stuck = asyncio.Event()
    seen_by_first: list[str] = []
    seen_by_second: list[str] = []

    async def stops_at_the_third(envelope: Envelope[Any]) -> None:
        seen_by_first.append(envelope.id)
        if envelope.id == ids[2]:
            stuck.set()
            await asyncio.Event().wait()

    async def finishes(envelope: Envelope[Any]) -> None:
        seen_by_second.append(envelope.id)

    def consumer(handler: Any) -> KafkaBroker:
        return subscribed_broker(topic, {StageOpened: handler}, group, graceful_timeout_s=0.5)

    first = consumer(stops_at_the_third)
    async with first:
        await first.start()
        await asyncio.wait_for(stuck.wait(), 20)
    assert seen_by_first == ids[:3]
    # The five were there before the first read, so they normally come as one batch and
    # nothing is committed; should the broker hand them over in two, the first is.
    committed = await committed_offset(infra_settings, topic, group)
    assert committed is None or committed <= 2, committed
    second = consumer(finishes)
    async with second:
        await second.start()
        await eventually(lambda: seen_by_second == ids[committed or 0 :])
        await eventually(lambda: _is(committed_offset(infra_settings, topic, group), 5))


async def committed_offset(infra: InfraSettings, topic: Topic, group: str) -> int | None:
    """The offset ``group`` committed on the topic's one partition, read from outside it."""
    reader = AIOKafkaConsumer(
        bootstrap_servers=infra.kafka_bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await reader.start()
    try:
        offset: int | None = await reader.committed(TopicPartition(topic.name, 0))
        return offset
    finally:
        await reader.stop()


async def test_a_group_that_starts_at_the_end_resumes_there_though_it_never_handled_an_event(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
    unique: Callable[[str], str],
    eventually: Callable[..., Awaitable[None]],
    subscribed_broker: Callable[..., KafkaBroker],
) -> None:
    """A group that starts at the end (a new notifications deployment) commits where it
    started, so a member that stops before its first event leaves the next one there: what
    was published meanwhile is delivered, not skipped by looking for the end again."""
    topic = await new_topic(STAGES, partitions=1)
    group = unique("group")
    handled: list[str] = []

    async def on_event(envelope: Envelope[Any]) -> None:
        handled.append(envelope.id)

    def consumer() -> KafkaBroker:
        return subscribed_broker(topic, {StageOpened: on_event}, group, from_the_beginning=False)

    before, before_headers = record_of(SAMPLES[StageOpened])
    await produce(infra_settings, topic.name, before, before_headers)  # before the group: past
    first = consumer()
    async with first:
        await first.start()
        await eventually(lambda: _is(committed_offset(infra_settings, topic, group), 1))
    meanwhile, meanwhile_headers = record_of(SAMPLES[StageOpened])
    await produce(infra_settings, topic.name, meanwhile, meanwhile_headers)
    second = consumer()
    async with second:
        await second.start()
        await eventually(lambda: handled == [meanwhile_headers["ce_id"]])


async def _is(offset: Awaitable[int | None], expected: int) -> bool:
    return await offset == expected
