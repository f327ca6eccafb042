"""Nothing stored that cannot be published, and nothing retried for ever: an event larger
than the broker takes is refused before the write; a record the real broker refuses for
good is dead-lettered (kept, announced, counted, logged) and the records after it go on;
a broker that is only stalled or unreachable is waited for, never dead-lettered."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY
from pymongo import AsyncMongoClient

from contest_contracts.envelope import Envelope
from contest_contracts.events import StageOpened
from contest_contracts.samples import SAMPLES
from contest_contracts.topics import STAGES, Topic, topics_to_create
from contest_local.embedded import LocalProcess, tansu_broker
from contest_runtime.kafka import ensure_topics, make_broker, start_broker, stop_broker
from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, OutboxRelay, outbox_entry, with_outbox
from contest_runtime.records import RecordTooLarge
from contest_runtime.settings import InfraSettings

pytestmark = pytest.mark.infra

Eventually = Callable[..., Awaitable[None]]
COUNTER = "contest_outbox_dead_letters_total"


def stage_opened(topic: Topic) -> Document:
    """The outbox entry of a real event."""
    envelope = Envelope.of(SAMPLES[StageOpened], source="/contest/test", subject="contest-1")
    return outbox_entry(topic, envelope)


def test_an_event_larger_than_the_broker_takes_is_refused_before_the_write() -> None:
    # The subject travels twice: as the key and in the `ce_subject` header.
    envelope = Envelope.of(SAMPLES[StageOpened], source="/contest/test", subject="c" * 5000)
    with pytest.raises(RecordTooLarge) as refused:
        outbox_entry(STAGES, envelope, max_bytes=4096)
    assert refused.value.size > 10_000 and refused.value.limit == 4096
    assert outbox_entry(STAGES, envelope, max_bytes=16_384)["key"] == "c" * 5000


async def read(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord[Any, Any]]:
    """``count`` records of ``topic`` from its start (fewer if they do not come)."""
    reader = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_bytes=8 * 1024 * 1024,
    )
    await reader.start()
    try:
        records: list[ConsumerRecord[Any, Any]] = []
        for _ in range(100):
            batch = await reader.getmany(timeout_ms=100)
            records += [r for rs in batch.values() for r in rs]
            if len(records) >= count:
                break
        return sorted(records, key=lambda r: r.offset)
    finally:
        await reader.stop()


async def test_a_record_the_broker_refuses_is_dead_lettered_and_the_later_ones_go_on(
    infra_settings: InfraSettings,
    mongo: AsyncMongoClient[Document],
    unique: Callable[[str], str],
    new_topic: Callable[..., Awaitable[Topic]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic = await new_topic(STAGES, partitions=1)
    # Written directly, as a service did before sizes were checked: 2 MB, over the 1 MiB
    # the producer sends, followed by two records of the same document.
    refused = {**stage_opened(topic), "value": '{"pad": "' + "x" * 2_000_000 + '"}'}
    later = [stage_opened(topic), stage_opened(topic)]
    collection = mongo[unique("store")]["stages"]
    await collection.insert_one(with_outbox({"_id": "doc", "version": 1}, [refused, *later]))
    service = unique("svc")
    broker = make_broker(infra_settings, client_id=service)
    await start_broker(broker, timeout_s=30)
    relay = OutboxRelay(broker, [collection], grace=timedelta(0))
    labels = {"service": service, "topic": topic.name}
    try:
        with caplog.at_level(logging.ERROR, logger="contest_runtime.outbox_dead_letters"):
            assert await relay.relay_once() == 1
    finally:
        await stop_broker(broker, timeout_s=15)

    document = await collection.find_one({"_id": "doc"})
    assert document is not None and document[OUTBOX] == [] and not document[PENDING]
    # Kept whole in the store.
    kept = await collection.database["stages_dead_letters"].find_one({"_id": refused["id"]})
    assert kept is not None
    assert kept["entry"] == refused and kept["document_id"] == "doc"
    assert "MessageSizeTooLarge" in kept["detail"]
    # Announced on the dead-letter topic: the key, the original headers, the reason.
    [dead] = await read(infra_settings.kafka_bootstrap_servers, topic.dead_letter, 1)
    headers = {name: value.decode() for name, value in dead.headers}
    assert dead.key == refused["key"].encode()
    assert dead.value == b""  # too large to travel: the store has it
    assert {k: headers[k] for k in refused["headers"]} == refused["headers"]
    assert headers["x-error-reason"] == "refused_by_broker"
    assert "MessageSizeTooLarge" in headers["x-error-detail"]
    assert headers["x-original-topic"] == topic.name
    assert headers["x-original-value-bytes"] == str(len(refused["value"]))
    assert headers["x-error-stored"].endswith(".stages_dead_letters")
    # Counted and alerted.
    assert REGISTRY.get_sample_value(COUNTER, labels) == 1
    [alert] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert alert.__dict__["event_id"] == refused["id"]
    # The records after it were published, in order.
    published = await read(infra_settings.kafka_bootstrap_servers, topic.name, 2)
    assert [dict(r.headers)["ce_id"].decode() for r in published] == [e["id"] for e in later]

    assert await relay.relay_once() == 0  # nothing is left to retry
    assert REGISTRY.get_sample_value(COUNTER, labels) == 1


@contextmanager
def stopped(broker: LocalProcess, how: str) -> Iterator[None]:
    """The broker stalled (SIGSTOP: connections open, nothing answered) or unreachable
    (killed: connections refused), and back afterwards."""
    assert broker.process is not None
    if how == "stalled":
        os.killpg(broker.process.pid, signal.SIGSTOP)
    else:
        broker.kill()
    try:
        yield
    finally:
        if how == "stalled":
            os.killpg(broker.process.pid, signal.SIGCONT)
        else:
            broker.start()


@pytest.mark.parametrize("how", ["stalled", "unreachable"])
async def test_a_broker_that_is_stalled_or_unreachable_is_waited_for_not_dead_lettered(
    how: str,
    mongo: AsyncMongoClient[Document],
    unique: Callable[[str], str],
    eventually: Eventually,
    tmp_path: Path,
) -> None:
    own = tansu_broker(tmp_path)  # a broker of this test's own, to stop
    own.start()
    service = unique("svc")
    # Short timeouts, so that a pass gives up soon on a broker that does not answer.
    broker = KafkaBroker(
        own.address, client_id=service, request_timeout_ms=1500, enable_idempotence=False
    )
    collection = mongo[unique("store")]["stages"]
    relay = OutboxRelay(broker, [collection], grace=timedelta(0))
    labels = {"service": service, "topic": STAGES.name}
    try:
        await ensure_topics(own.address, topics_to_create((STAGES,)))
        await broker.start()
        await collection.insert_one(
            with_outbox({"_id": "warm", "version": 1}, [stage_opened(STAGES)])
        )
        assert await relay.relay_once() == 1  # the producer knows the broker and the topic
        waiting = stage_opened(STAGES)
        await collection.insert_one(with_outbox({"_id": "doc", "version": 1}, [waiting]))

        with stopped(own, how):
            for _ in range(2):
                assert await asyncio.wait_for(relay.relay_once(), timeout=30) == 0
            document = await collection.find_one({"_id": "doc"})
            assert document is not None and [e["id"] for e in document[OUTBOX]] == [waiting["id"]]

        assert not await collection.database["stages_dead_letters"].find_one({})
        assert not REGISTRY.get_sample_value(COUNTER, labels)
        if how == "unreachable":  # a memory broker started again has lost its topics
            await ensure_topics(own.address, topics_to_create((STAGES,)))

        async def delivered() -> bool:
            await relay.relay_once()
            return not (await collection.find_one({"_id": "doc"}) or {}).get(OUTBOX)

        await eventually(delivered, timeout_s=60)
        # At least once: a request sent before the stall may be written as well as its retry.
        copies = [
            r
            for r in await read(own.address, STAGES.name, 2)
            if dict(r.headers)["ce_id"].decode() == waiting["id"]
        ]
        assert copies and all(r.value == waiting["value"].encode() for r in copies)
    finally:
        await stop_broker(broker, timeout_s=10)
        own.stop()
