"""Events over the real broker: publish, consume in groups, split partitions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker

from contest_contracts.envelope import Envelope
from contest_contracts.events import StageOpened, VoteCast
from contest_contracts.samples import SAMPLES
from contest_contracts.topics import STAGES, VOTES, Topic
from contest_contracts.wire import to_record
from contest_runtime.kafka import EventPublisher, make_broker, start_broker
from contest_runtime.settings import InfraSettings

pytestmark = pytest.mark.infra


def recording(topic: Topic, seen: list[Envelope[Any]]) -> dict[Any, Any]:
    """Handlers for every event type of ``topic`` that append what they get to ``seen``."""

    async def record(envelope: Envelope[Any]) -> None:
        seen.append(envelope)

    return {model: record for model in topic.events}


async def test_published_envelope_reaches_a_group_subscriber(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
    unique: Callable[[str], str],
    eventually: Callable[..., Awaitable[None]],
    subscribed_broker: Callable[..., KafkaBroker],
) -> None:
    topic = await new_topic(STAGES)
    seen: list[Envelope[Any]] = []
    subscriber = subscribed_broker(topic, recording(topic, seen), unique("group"))
    producer = make_broker(infra_settings, client_id="producer")
    async with subscriber, producer:
        await subscriber.start()
        await producer.start()
        sent = await EventPublisher(producer, source="/contest/test").publish(
            topic, SAMPLES[StageOpened], subject="social-protection-2025"
        )
        await eventually(lambda: len(seen) == 1)

    assert seen[0] == sent
    assert isinstance(seen[0].data, StageOpened)


async def test_publisher_refuses_an_event_on_a_topic_that_does_not_carry_it(
    infra_settings: InfraSettings,
) -> None:
    producer = make_broker(infra_settings, client_id="producer")
    async with producer:
        await producer.start()
        with pytest.raises(ValueError, match="does not belong"):
            await EventPublisher(producer, source="/t").publish(
                STAGES, SAMPLES[VoteCast], subject="x"
            )


async def test_two_consumers_in_one_group_split_a_multi_partition_topic(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
    unique: Callable[[str], str],
    eventually: Callable[..., Awaitable[None]],
    subscribed_broker: Callable[..., KafkaBroker],
) -> None:
    topic = await new_topic(VOTES, partitions=4)
    group = unique("tally")
    first: list[Envelope[Any]] = []
    second: list[Envelope[Any]] = []
    one = subscribed_broker(topic, recording(topic, first), group, client_id="tally-1")
    two = subscribed_broker(topic, recording(topic, second), group, client_id="tally-2")
    producer = make_broker(infra_settings, client_id="producer")
    async with one, two, producer:
        await one.start()
        await two.start()
        await producer.start()
        await eventually(lambda: _assigned(one) + _assigned(two) == 4)
        assert _assigned(one) == 2 and _assigned(two) == 2

        publisher = EventPublisher(producer, source="/contest/voting")
        sent = set()
        for voter in range(40):
            envelope = await publisher.publish(topic, SAMPLES[VoteCast], subject=f"voter-{voter}")
            sent.add(envelope.id)
        await eventually(lambda: {e.id for e in first} | {e.id for e in second} == sent)

    assert first and second
    assert not {e.id for e in first} & {e.id for e in second}


def _assigned(broker: KafkaBroker) -> int:
    total = 0
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is not None:
            total += len(consumer.assignment())
    return total


class StallingBroker:
    """A broker client whose first start never finishes, as a join the broker leaves
    unanswered."""

    def __init__(self) -> None:
        self.starts = 0
        self.stops = 0

    async def start(self) -> None:
        self.starts += 1
        if self.starts == 1:
            await asyncio.Event().wait()

    async def stop(self) -> None:
        self.stops += 1


async def test_a_start_that_stalls_is_abandoned_and_what_started_is_stopped() -> None:
    broker: Any = StallingBroker()
    with pytest.raises(TimeoutError):
        await start_broker(broker, timeout_s=0.1)
    assert broker.stops == 1
    await start_broker(broker, timeout_s=0.1)
    assert (broker.starts, broker.stops) == (2, 1)


async def test_a_published_record_carries_the_envelope_headers_and_no_other_correlation_id(
    infra_settings: InfraSettings,
    new_topic: Callable[..., Awaitable[Topic]],
) -> None:
    """FastStream writes a ``correlation_id`` header of its own (a random uuid) unless told
    otherwise: a consumer would read it for ``ce_correlationid``."""
    topic = await new_topic(STAGES)
    producer = make_broker(infra_settings, client_id="producer")
    async with producer:
        await producer.start()
        sent = await EventPublisher(producer, source="/contest/test").publish(
            topic, SAMPLES[StageOpened], subject="social-protection-2025"
        )
    reader = AIOKafkaConsumer(
        topic.name,
        bootstrap_servers=infra_settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        record = await asyncio.wait_for(reader.getone(), timeout=20)
    finally:
        await reader.stop()
    headers = {name: value.decode() for name, value in record.headers}
    assert headers["ce_correlationid"] == sent.correlation_id
    assert "correlation_id" not in headers
    assert headers == to_record(sent).headers
