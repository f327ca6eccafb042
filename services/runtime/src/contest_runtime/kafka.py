"""Kafka through FastStream: the broker, publishing envelopes, and creating topics."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from contest_contracts.envelope import Envelope, EventData
from contest_contracts.topics import Topic
from contest_contracts.wire import to_record
from contest_runtime.logs import correlation_id as current_correlation_id
from contest_runtime.settings import InfraSettings

log = logging.getLogger(__name__)


def make_broker(
    infra: InfraSettings, *, client_id: str, graceful_timeout_s: float = 15.0
) -> KafkaBroker:
    """A broker whose producer waits for all in-sync replicas and never creates topics.

    Idempotence follows the settings: on for Apache Kafka, off for Tansu's memory engine,
    which refuses idempotent producers. Per-message logs are at DEBUG: at national scale
    an INFO line per vote would drown everything else. The producer takes records as
    large as the services write (``KAFKA_MAX_RECORD_BYTES``), and at least aiokafka's
    default of 1 MiB.

    FastStream writes a ``correlation_id`` header of its own on every record, a random
    uuid unless one is passed: the platform's correlation id is ``ce_correlationid``, and
    a second one beside it would be read for it. An empty id makes FastStream write none.
    """
    return KafkaBroker(
        infra.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=infra.kafka_enable_idempotence,
        linger_ms=infra.kafka_linger_ms,
        max_request_size=max(1024 * 1024, infra.kafka_max_record_bytes),
        allow_auto_create_topics=False,
        logger=logging.getLogger(f"faststream.{client_id}"),
        log_level=logging.DEBUG,
        graceful_timeout=graceful_timeout_s,
        id_generator=_no_correlation_header,
    )


def _no_correlation_header() -> str:
    return ""


def envelope_in_flow(
    data: EventData,
    *,
    source: str,
    subject: str,
    causation: Envelope[Any] | None = None,
    correlation_id: str | None = None,
) -> Envelope[Any]:
    """A new event in the current flow: it carries the given correlation id (a request from
    outside that names its own), else its cause's, else the one of the request or event
    being handled; outside any flow it starts a new one."""
    if correlation_id is None and causation is None:
        correlation_id = current_correlation_id.get()
    return Envelope.of(
        data, source=source, subject=subject, causation=causation, correlation_id=correlation_id
    )


class EventPublisher:
    """Publishes payloads as envelopes of one source, only on topics that carry them."""

    def __init__(self, broker: KafkaBroker, *, source: str) -> None:
        self.broker = broker
        self.source = source

    async def publish(
        self,
        topic: Topic,
        data: EventData,
        *,
        subject: str,
        causation: Envelope[Any] | None = None,
        correlation_id: str | None = None,
    ) -> Envelope[Any]:
        """Publish ``data`` as an event in the current flow (see ``envelope_in_flow``);
        returns it once the broker acked."""
        envelope = envelope_in_flow(
            data,
            source=self.source,
            subject=subject,
            causation=causation,
            correlation_id=correlation_id,
        )
        await self.publish_envelope(topic, envelope)
        return envelope

    async def publish_envelope(self, topic: Topic, envelope: Envelope[Any]) -> None:
        """Publish an envelope made earlier (e.g. one kept in an outbox), as it is."""
        if not topic.carries(envelope.type):
            raise ValueError(f"{envelope.type} does not belong on {topic.name}")
        record = to_record(envelope)
        await self.broker.publish(record.value, topic.name, key=record.key, headers=record.headers)


async def start_broker(broker: KafkaBroker, timeout_s: float) -> None:
    """Start the producer and the consumers, or stop whatever started and fail.

    A consumer's start waits until its group gave it partitions, and a broker can leave a
    join unanswered (the embedded one sometimes never answers a SyncGroup when a group's
    members left and others join at once); a new attempt joins afresh.
    """
    try:
        await asyncio.wait_for(broker.start(), timeout=timeout_s)
    except BaseException:
        await stop_broker(broker, timeout_s)
        raise


async def stop_broker(broker: KafkaBroker, timeout_s: float) -> None:
    """Stop the producer and the consumers, giving up (with a warning) after ``timeout_s``."""
    try:
        await asyncio.wait_for(broker.stop(), timeout=timeout_s)
    except Exception as error:
        log.warning("the broker client did not stop cleanly", extra={"error": repr(error)})


async def ensure_topics(
    bootstrap_servers: str, topics: tuple[Topic, ...], *, replication_factor: int = 1
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created. Safe to repeat."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="contest-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in topics if topic.name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(
                    topic.name,
                    num_partitions=topic.partitions,
                    replication_factor=replication_factor,
                    topic_configs=topic.kafka_config(),
                )
                for topic in missing
            ]
        )
        for name, error_code, message in _topic_errors(response):
            if error_code not in (0, TopicAlreadyExistsError.errno):
                raise RuntimeError(f"cannot create topic {name}: {error_code} {message}")
        log.info("topics created", extra={"topics": [t.name for t in missing]})
        return [topic.name for topic in missing]
    finally:
        await admin.close()


def _topic_errors(response: Any) -> list[tuple[str, int, str | None]]:
    errors = []
    for item in response.topic_errors:
        name, error_code = item[0], item[1]
        message = item[2] if len(item) > 2 else None
        errors.append((name, error_code, message))
    return errors
