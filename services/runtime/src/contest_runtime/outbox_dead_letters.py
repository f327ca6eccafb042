"""Outbox records the broker refuses for good, and what becomes of them.

A record the broker will never take (larger than it accepts, a topic name it rejects...)
would otherwise stay first in its document's outbox for ever: retried every pass, and
holding back every later record of the document. Such a record is kept whole in the
service's store (``<collection>_dead_letters``, since it may be too large for any topic),
announced on ``<topic>.dlq`` with its key, its headers and ``x-error-*`` headers as the
consumers' dead letters are, logged at ERROR (the alert) and counted
(``contest_outbox_dead_letters_total``); then it leaves the outbox.

A broker that is unreachable, stalled or short of replicas is not refusing a record: those
failures are retried, however long they last.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import (
    CorruptRecordException,
    InvalidTimestampError,
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    UnsupportedForMessageFormatError,
)
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from contest_contracts.topics import DEAD_LETTER_SUFFIX
from contest_runtime.metrics import OUTBOX_DEAD_LETTERS
from contest_runtime.mongo import Document
from contest_runtime.records import max_record_bytes, record_bytes

log = logging.getLogger(__name__)

REFUSED_FOR_GOOD: tuple[type[Exception], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    InvalidTopicError,
    CorruptRecordException,
    UnsupportedForMessageFormatError,
    InvalidTimestampError,
)
"""Errors about the record itself: sending it again gets the same answer. Errors about the
broker (unreachable, timed out, no leader, not enough replicas, not authorised) are not
here: they pass, and the record must wait for them to."""

REASON = "refused_by_broker"
DEAD_LETTERS_SUFFIX = "_dead_letters"


def refused_for_good(error: BaseException) -> bool:
    """Whether the broker will refuse this record whenever it is sent."""
    return isinstance(error, REFUSED_FOR_GOOD)


def dead_letters_of(collection: AsyncCollection[Document]) -> AsyncCollection[Document]:
    """Where the records of ``collection``'s outboxes that the broker refused are kept."""
    return collection.database[collection.name + DEAD_LETTERS_SUFFIX]


class OutboxDeadLetters:
    """Takes refused records out of the flow: stored whole, announced, logged, counted."""

    def __init__(self, service: str) -> None:
        self.service = service

    async def dead_letter(
        self,
        broker: KafkaBroker,
        collection: AsyncCollection[Document],
        document_id: Any,
        entry: Document,
        error: BaseException,
    ) -> None:
        """Keep ``entry`` (a record of ``document_id``'s outbox) and announce it; once this
        returns it may leave the outbox. A failure to store or to announce it for another
        reason than a refusal raises: the record stays and is tried again."""
        now = datetime.now(UTC)
        detail = repr(error)
        stored = dead_letters_of(collection)
        with contextlib.suppress(DuplicateKeyError):  # kept on an earlier try
            await stored.insert_one(
                {
                    "_id": entry["id"],
                    "document_id": document_id,
                    "topic": entry["topic"],
                    "reason": REASON,
                    "detail": detail,
                    "service": self.service,
                    "dead_lettered_at": now,
                    "entry": entry,
                }
            )
        key, value = entry["key"].encode(), entry["value"].encode()
        headers = {
            **entry["headers"],
            "x-error-reason": REASON,
            "x-error-detail": detail[:2000],
            "x-error-attempts": "1",
            "x-error-producer": self.service,
            "x-error-time": now.isoformat().replace("+00:00", "Z"),
            "x-error-stored": f"{stored.database.name}.{stored.name}",
            "x-original-topic": entry["topic"],
            "x-original-value-bytes": str(len(value)),
        }
        if record_bytes(key, value, headers) > max_record_bytes():
            value = b""  # kept whole in the store; the announcement says where
        announced = True
        try:
            await broker.publish(
                value, entry["topic"] + DEAD_LETTER_SUFFIX, key=key, headers=headers
            )
        except Exception as refusal:
            if not refused_for_good(refusal):
                raise
            announced = False  # the dead-letter topic refuses it too: the store keeps it
        OUTBOX_DEAD_LETTERS.labels(service=self.service, topic=entry["topic"]).inc()
        log.error(
            "outbox record dead-lettered: the broker refuses it for good",
            extra={
                "service": self.service,
                "collection": collection.name,
                "id": str(document_id),
                "event_id": entry["id"],
                "topic": entry["topic"],
                "error": detail,
                "stored": f"{stored.database.name}.{stored.name}",
                "announced": announced,
            },
        )
