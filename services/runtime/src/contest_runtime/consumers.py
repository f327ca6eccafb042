"""Consuming envelopes at least once, with retries and a dead-letter topic.

Records are taken in batches and handled one after another, in order; the batch is
committed only after its last handler finished (or its record was dead-lettered), so a
crash redelivers it: handlers must be idempotent. One commit per batch rather than per
record is what lets a consumer keep up with a burst. A record that cannot be decoded goes
to ``<topic>.dlq`` at once; a record whose handler keeps failing goes there after the
configured number of tries. Either way the consumer moves on to the next record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from contest_contracts.envelope import Envelope, EventData
from contest_contracts.topics import Topic
from contest_contracts.wire import InvalidPayload, MalformedEvent, UnknownEventType, from_record
from contest_runtime.logs import correlated
from contest_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

EventHandler = Callable[[Envelope[Any]], Awaitable[None]]
RefusalHandler = Callable[[InvalidPayload], Awaitable[bool]]
"""Answers a record whose payload its schema refuses (to tell its producer what is wrong);
returns False when it cannot (the record then goes to the dead-letter topic)."""


class DeadLetters:
    """Writes records that could not be handled to the dead-letter topic, with the reason.

    The original key, value and headers are kept as they were, so an operator can replay
    the record to its topic after fixing the cause; ``x-error-*`` headers say what failed.
    """

    def __init__(self, broker: KafkaBroker, *, consumer_group: str) -> None:
        self.broker = broker
        self.consumer_group = consumer_group

    async def send(
        self,
        topic: Topic,
        record: ConsumerRecord[Any, Any],
        *,
        reason: str,
        detail: str,
        attempts: int,
    ) -> None:
        """Publish ``record`` to ``topic``'s dead-letter topic; returns once the broker acked."""
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or ()}
        headers.update(
            {
                "x-original-topic": record.topic,
                "x-original-partition": str(record.partition),
                "x-original-offset": str(record.offset),
            }
        )
        await self.send_value(
            topic,
            record.value or b"",
            key=record.key,
            headers=headers,
            reason=reason,
            detail=detail,
            attempts=attempts,
        )

    async def send_value(
        self,
        topic: Topic,
        value: bytes,
        *,
        key: bytes | None,
        headers: dict[str, str],
        reason: str,
        detail: str,
        attempts: int,
    ) -> None:
        """Publish ``value`` to ``topic``'s dead-letter topic with the reason in headers."""
        headers = {
            **headers,
            "x-error-reason": reason,
            "x-error-detail": detail[:2000],
            "x-error-attempts": str(attempts),
            "x-error-consumer-group": self.consumer_group,
            "x-error-time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        await self.broker.publish(value, topic.dead_letter, key=key, headers=headers)
        log.warning("event dead-lettered", extra={"topic": topic.name, "reason": reason})


@dataclass(frozen=True)
class ConsumerOptions:
    """How a service consumes: its group, retry policy and group membership timing."""

    group_id: str
    attempts: int = 5
    backoff_s: float = 0.2
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3000
    batch: int = 50
    from_the_beginning: bool = True
    """Where a group without committed offsets starts: the topic's beginning (a service that
    keeps its own copy of what happened), or its end (one that acts on what happens now),
    committed at once so that a restart resumes there (``StartingPoint``)."""

    @classmethod
    def of(cls, settings: ServiceSettings) -> ConsumerOptions:
        """The options a service's settings describe."""
        return cls(
            group_id=settings.consumer_group,
            attempts=settings.handler_attempts,
            backoff_s=settings.handler_backoff_s,
            session_timeout_ms=settings.infra.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.infra.kafka_heartbeat_interval_ms,
            batch=settings.consumer_batch,
        )


async def decode(
    topic: Topic, record: ConsumerRecord[Any, Any], dead_letters: DeadLetters
) -> Envelope[Any] | None:
    """The event a record of ``topic`` carries; None when the record is skipped: an event
    type this version does not know (a newer producer), or a malformed record, which goes
    to the dead-letter topic."""
    read = await _read(topic, record, dead_letters, refused=())
    return read if isinstance(read, Envelope) else None


async def _read(
    topic: Topic,
    record: ConsumerRecord[Any, Any],
    dead_letters: DeadLetters,
    *,
    refused: Collection[type[EventData]],
) -> Envelope[Any] | InvalidPayload | None:
    """The event a record carries; or, for a type in ``refused``, the refusal of a payload
    its schema refuses; None when the record is skipped or dead-lettered."""
    registry = {model.event_type: model for model in topic.events}
    try:
        return from_record(record.value, record.headers or (), registry)
    except UnknownEventType:
        return None
    except InvalidPayload as invalid:
        if invalid.model in refused:
            return invalid
        await dead_letters.send(
            topic, record, reason=invalid.reason, detail=invalid.detail, attempts=0
        )
        return None
    except MalformedEvent as error:
        await dead_letters.send(topic, record, reason=error.reason, detail=error.detail, attempts=0)
        return None


def subscribe(
    broker: KafkaBroker,
    topics: Topic | Sequence[Topic],
    handlers: Mapping[type[EventData], EventHandler],
    *,
    options: ConsumerOptions,
    dead_letters: DeadLetters,
    refusals: Mapping[type[EventData], RefusalHandler] | None = None,
) -> None:
    """Consume ``topics`` in the options' group with one consumer, calling the handler
    registered for each event type.

    Event types a topic carries but no handler is registered for are skipped, and so are
    types this version does not know (a newer producer): both are committed. A record of a
    type in ``refusals`` whose payload its schema refuses goes to that refusal handler
    (which answers its producer) instead of the dead-letter topic. Several topics share
    one consumer: each consumer of a group joins it on its own, and every join rebalances
    the whole group.
    """
    by_name = {t.name: t for t in ([topics] if isinstance(topics, Topic) else topics)}
    refusing = dict(refusals or {})

    async def handle(record: ConsumerRecord[Any, Any]) -> None:
        topic = by_name[record.topic]
        read = await _read(topic, record, dead_letters, refused=refusing.keys())
        if read is None:
            return
        if isinstance(read, InvalidPayload):
            refuse = refusing[read.model]
            invalid = read
            cause: Envelope[Any] = read.cause

            async def run() -> bool:
                return await refuse(invalid)
        else:
            handler = handlers.get(type(read.data))
            if handler is None:
                return
            envelope = cause = read

            async def run() -> bool:
                await handler(envelope)
                return True

        with correlated(cause.correlation_id):
            failure: Exception | None = None
            for attempt in range(1, options.attempts + 1):
                try:
                    if await run():
                        return
                    # Refused, and nothing to answer to: a bad record like any other.
                    assert isinstance(read, InvalidPayload)
                    await dead_letters.send(
                        topic, record, reason=read.reason, detail=read.detail, attempts=0
                    )
                    return
                except Exception as error:
                    failure = error
                    log.warning(
                        "event handler failed",
                        exc_info=True,
                        extra={"event_id": cause.id, "type": cause.type, "attempt": attempt},
                    )
                    if attempt < options.attempts:
                        await asyncio.sleep(options.backoff_s * 2 ** (attempt - 1))
            await dead_letters.send(
                topic,
                record,
                reason="handler_failed",
                detail=repr(failure),
                attempts=options.attempts,
            )

    starting_point = None if options.from_the_beginning else StartingPoint()
    subscriber = broker.subscriber(
        *by_name,
        group_id=options.group_id,
        auto_offset_reset="earliest" if options.from_the_beginning else "latest",
        session_timeout_ms=options.session_timeout_ms,
        heartbeat_interval_ms=options.heartbeat_interval_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        batch=True,
        max_records=options.batch,
        # How long an idle consumer waits for records before it asks again.
        batch_timeout_ms=100,
        decoder=_raw_body,
        title=f"{options.group_id}:{'+'.join(by_name)}",
        listener=starting_point,
    )
    if starting_point is not None:
        starting_point.consumer = lambda: subscriber.consumer

    @subscriber
    async def consume(bodies: list[bytes], message: KafkaMessage) -> None:
        try:
            for record in message.raw_message:
                await handle(record)
        except Exception:
            # Dead-lettering itself failed (broker unreachable): leave the batch uncommitted
            # (each partition is read again from its first record of the batch) and slow
            # the redelivery loop down instead of spinning.
            await asyncio.sleep(options.backoff_s * 10)
            raise


class StartingPoint(ConsumerRebalanceListener):  # type: ignore[misc]
    """For a group that starts at the topics' end: commits, on each partition it is given
    and never committed, the offset it starts from, so a restart resumes there.

    A consumer commits only after handling a record. A group stopped (or killed) before its
    first record has nothing committed; started again it would look for the end again, and
    every event published while it was down would be skipped for good. A group that starts
    at the beginning needs none of this: it reads those events either way.
    """

    def __init__(self) -> None:
        self.consumer: Callable[[], Any] = lambda: None
        """The subscriber's consumer once it runs (set by ``subscribe``)."""

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        """Nothing to do: offsets are committed as records are handled."""

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """Commit where the group starts on partitions without a committed offset (aiokafka
        lets this callback wait for positions)."""
        consumer = self.consumer()
        if consumer is None:
            return
        starts = {
            partition: await consumer.position(partition)
            for partition in assigned
            if await consumer.committed(partition) is None
        }
        if starts:
            await consumer.commit(starts)
            log.info("starting point committed", extra={"partitions": len(starts)})


async def _raw_body(message: Any) -> list[bytes]:
    """Hand the bodies over undecoded, so that bad JSON reaches ``from_record`` (and the
    dead-letter topic) instead of failing inside FastStream's own decoder."""
    bodies: list[bytes] = message.body
    return bodies
