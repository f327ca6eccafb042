"""The outbox: a state change and the events it causes are written in one document.

A service writes an aggregate (an application, a contest...) together with the Kafka
records of the events that the change causes, in the document's ``outbox`` field, in one
single-document write: either both are stored or neither. The records are then published
right away (the fast path) and, should that fail, by :class:`OutboxRelay`, which keeps
scanning for documents with ``outbox_pending`` set. A record leaves the outbox only after
the broker acknowledged it, so an event is published at least once; consumers deduplicate
by event id.

Nothing is stored that cannot be published: ``outbox_entry`` refuses (``RecordTooLarge``)
an event whose record is larger than the broker takes, before the write. A record the
broker refuses all the same, for good, is dead-lettered (``outbox_dead_letters``) rather
than retried for ever, and the records after it go on.

Aggregates that use an outbox carry an integer ``version`` that every write increments and
checks (optimistic concurrency), so that clearing the outbox never drops a record added
by a concurrent write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from contest_contracts.envelope import Envelope
from contest_contracts.topics import Topic
from contest_contracts.wire import to_record
from contest_runtime.mongo import Document, as_utc
from contest_runtime.outbox_dead_letters import OutboxDeadLetters, refused_for_good
from contest_runtime.records import RecordTooLarge, max_record_bytes, record_bytes

log = logging.getLogger(__name__)

OUTBOX = "outbox"
PENDING = "outbox_pending"
SINCE = "outbox_since"


def outbox_entry(
    topic: Topic, envelope: Envelope[Any], *, max_bytes: int | None = None
) -> Document:
    """The stored form of one event: its Kafka record, ready to publish as it is.

    ``RecordTooLarge`` when the record is larger than ``max_bytes`` (by default the
    broker's limit, ``KAFKA_MAX_RECORD_BYTES``): a change must not store what it could
    never publish.
    """
    if not topic.carries(envelope.type):
        raise ValueError(f"{envelope.type} does not belong on {topic.name}")
    record = to_record(envelope)
    limit = max_record_bytes() if max_bytes is None else max_bytes
    size = record_bytes(record.key, record.value, record.headers)
    if size > limit:
        raise RecordTooLarge(topic.name, envelope.type, size, limit)
    return {
        "id": envelope.id,
        "topic": topic.name,
        "key": record.key.decode(),
        "value": record.value.decode(),
        "headers": record.headers,
    }


def with_outbox(document: Document, entries: list[Document]) -> Document:
    """``document`` with ``entries`` appended to its outbox and the pending flag set."""
    outbox = [*document.get(OUTBOX, []), *entries]
    since = document.get(SINCE) if document.get(OUTBOX) else None
    if outbox and since is None:
        since = datetime.now(UTC)
    return {**document, OUTBOX: outbox, PENDING: bool(outbox), SINCE: since}


Decision = Callable[[Document], tuple[Document, list[Document]] | None]
"""Decides, from a document as it is now, the fields to set and the outbox entries to add;
None to leave it as it is."""


async def change_with_outbox(
    collection: AsyncCollection[Document], document_id: Any, decide: Decision
) -> bool:
    """Set the fields ``decide`` returns on a document and append its entries to the outbox,
    in one versioned write; when another write came first, read again and decide again.

    Returns whether it wrote: False when there is no such document or ``decide`` said None.
    """
    while True:
        current = await collection.find_one({"_id": document_id})
        if current is None:
            return False
        decided = decide(current)
        if decided is None:
            return False
        changes, entries = decided
        outboxed = with_outbox(current, entries)
        result = await collection.update_one(
            {"_id": document_id, "version": current["version"]},
            {
                "$set": {
                    **changes,
                    "version": current["version"] + 1,
                    OUTBOX: outboxed[OUTBOX],
                    PENDING: outboxed[PENDING],
                    SINCE: outboxed[SINCE],
                }
            },
        )
        if result.matched_count == 1:
            return True


FLUSH_BATCH = 50
"""Documents flushed together by default: their records are in flight at once."""


def _cleared(document: Document, published: set[str]) -> Document:
    """The outbox fields of ``document`` once ``published`` records left it."""
    remaining = [e for e in document.get(OUTBOX, []) if e["id"] not in published]
    return {
        OUTBOX: remaining,
        PENDING: bool(remaining),
        SINCE: document.get(SINCE) if remaining else None,
    }


class OutboxRelay:
    """Publishes outbox records of some collections and clears them once acknowledged."""

    def __init__(
        self,
        broker: KafkaBroker,
        collections: list[AsyncCollection[Document]],
        *,
        grace: timedelta = timedelta(seconds=2),
        batch: int = FLUSH_BATCH,
        service: str | None = None,
    ) -> None:
        self.broker = broker
        self.dead_letters = OutboxDeadLetters(service or _client_id(broker))
        """Where records the broker refuses for good go (named after the service: by
        default its broker's client id, which ``make_broker`` sets to the service's name)."""
        self.collections = collections
        self.batch = batch
        """Documents flushed together (``flush_many``)."""
        # Records younger than this are left to the writer's own flush, so that the relay
        # and the writer rarely publish the same record twice.
        self.grace = grace

    async def create_indexes(self) -> None:
        """The index the relay's scan uses."""
        for collection in self.collections:
            await collection.create_index([(PENDING, 1)])

    async def flush(self, collection: AsyncCollection[Document], document_id: Any) -> None:
        """Publish the pending records of one document (right after the write that left
        them); what does not go out is left to the relay's next pass."""
        await self.flush_many(collection, [document_id])

    async def flush_many(
        self, collection: AsyncCollection[Document], document_ids: list[Any]
    ) -> int:
        """Publish the pending records of many documents (a stage's assignments): one read
        and one clearing write per batch, the documents' records sent side by side, each
        document's own in order. Returns the documents whose records all went out."""
        flushed = 0
        for start in range(0, len(document_ids), self.batch):
            chunk = document_ids[start : start + self.batch]
            cursor = collection.find({"_id": {"$in": chunk}, PENDING: True})
            documents = [document async for document in cursor]
            sent = await asyncio.gather(*(self._send(collection, d) for d in documents))
            await self._clear(collection, list(zip(documents, sent, strict=True)))
            flushed += sum(len(p) == len(d[OUTBOX]) for d, p in zip(documents, sent, strict=True))
        return flushed

    async def _send(self, collection: AsyncCollection[Document], document: Document) -> set[str]:
        """Deliver a document's records in order; the ids of those that went out (all of
        them, or those before the first failure). A record the broker refuses for good is
        dead-lettered, and counts as gone out: the records after it are not held back."""
        published: set[str] = set()
        try:
            for entry in document.get(OUTBOX, []):
                try:
                    await self.deliver(entry)
                except Exception as error:
                    if not refused_for_good(error):
                        raise
                    await self.dead_letters.dead_letter(
                        self.broker, collection, document["_id"], entry, error
                    )
                published.add(entry["id"])
        except Exception as error:
            log.warning(
                "outbox publish failed; the relay retries",
                extra={
                    "collection": collection.name,
                    "id": str(document["_id"]),
                    "error": repr(error),
                },
            )
        return published

    async def deliver(self, entry: Document) -> None:
        """Send one record on: publish it, as it was stored, and wait for the broker's ack.
        A service whose outboxes also carry records of its own kind (judging's audit
        entries) delivers those itself by overriding this."""
        await self.broker.publish(
            entry["value"].encode(),
            entry["topic"],
            key=entry["key"].encode(),
            headers=entry["headers"],
        )

    async def _clear(
        self, collection: AsyncCollection[Document], sent: list[tuple[Document, set[str]]]
    ) -> None:
        """Take the records that went out from their documents' outboxes: one write for
        every document unchanged since it was read; one that changed meanwhile (a writer
        added records) is read again and cleared alone."""
        sent = [(document, published) for document, published in sent if published]
        if not sent:
            return
        result = await collection.bulk_write(
            [
                UpdateOne(
                    {"_id": document["_id"], "version": document["version"]},
                    {"$set": _cleared(document, published)},
                )
                for document, published in sent
            ],
            ordered=False,
        )
        if result.matched_count == len(sent):
            return
        for document, published in sent:  # clearing twice removes nothing more
            await self._clear_again(collection, document["_id"], published)

    async def _clear_again(
        self, collection: AsyncCollection[Document], document_id: Any, published: set[str]
    ) -> None:
        while True:
            document = await collection.find_one({"_id": document_id})
            if document is None:
                return
            result = await collection.update_one(
                {"_id": document_id, "version": document["version"]},
                {"$set": _cleared(document, published)},
            )
            if result.matched_count == 1:
                return

    async def relay_once(self) -> int:
        """Publish the pending records of every collection that have waited longer than the
        grace period; returns the documents flushed."""
        flushed = 0
        settled = datetime.now(UTC) - self.grace
        for collection in self.collections:
            cursor = collection.find({PENDING: True}, {"_id": 1, SINCE: 1})
            waiting = [
                document["_id"]
                async for document in cursor
                if document.get(SINCE) is None or as_utc(document[SINCE]) <= settled
            ]
            flushed += await self.flush_many(collection, waiting)
        return flushed

    async def run(self, interval_s: float) -> None:
        """Relay forever, every ``interval_s`` seconds (a background task of the service)."""
        while True:
            try:
                await self.relay_once()
            except Exception:
                log.exception("outbox relay pass failed")
            await asyncio.sleep(interval_s)


def _client_id(broker: KafkaBroker) -> str:
    config = getattr(getattr(broker, "config", None), "broker_config", None)
    return str(getattr(config, "client_id", None) or "unknown")
