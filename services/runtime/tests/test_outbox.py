"""Changes with their events in one document: a change made while another write lands is
decided again on the newer document, no outbox record is ever dropped, and the relay
publishes what a writer that died before its own flush left behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, OutboxRelay, change_with_outbox, with_outbox

pytestmark = pytest.mark.infra


def _entry(event_id: str) -> Document:
    return {"id": event_id, "topic": "t", "key": "k", "value": "{}", "headers": {}}


class RacedCollection:
    """A collection where another writer lands once between a read and the next write."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.raced = False

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return await self.collection.find_one(*args, **kwargs)

    async def update_one(self, *args: Any, **kwargs: Any) -> Any:
        if not self.raced:
            self.raced = True
            await change_with_outbox(
                self.collection, "a", lambda d: ({"count": d["count"] + 10}, [_entry("other")])
            )
        return await self.collection.update_one(*args, **kwargs)


async def test_a_change_that_loses_a_race_is_decided_again_and_keeps_both_records(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    collection = mongo[unique("store")]["aggregates"]
    await collection.insert_one(with_outbox({"_id": "a", "count": 0, "version": 1}, []))
    seen: list[int] = []

    def decide(current: Document) -> tuple[Document, list[Document]]:
        seen.append(current["count"])
        return {"count": current["count"] + 1}, [_entry(f"mine-{len(seen)}")]

    assert await change_with_outbox(RacedCollection(collection), "a", decide)  # type: ignore[arg-type]

    document = await collection.find_one({"_id": "a"})
    assert document is not None
    assert seen == [0, 10]  # decided again on the document the other writer left
    assert document["count"] == 11
    assert [e["id"] for e in document[OUTBOX]] == ["other", "mine-2"]
    assert document[PENDING]  # the embedded store may hand a boolean back as 1
    assert document["version"] == 3


async def test_no_document_or_no_decision_writes_nothing(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    collection = mongo[unique("store")]["aggregates"]
    assert not await change_with_outbox(collection, "missing", lambda d: ({"x": 1}, []))
    await collection.insert_one(with_outbox({"_id": "b", "version": 1}, []))
    assert not await change_with_outbox(collection, "b", lambda d: None)
    assert (await collection.find_one({"_id": "b"}) or {})["version"] == 1


class RecordingBroker:
    """Stands in for the Kafka broker: keeps what it is asked to publish."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []

    async def publish(self, value: bytes, topic: str, **_: Any) -> None:
        self.published.append((topic, value))


async def test_the_relay_publishes_what_a_writer_left_pending_whether_inserted_or_changed(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    # A writer killed between its write and its flush leaves the records in the outbox. A
    # change sets the pending time with ``$set``, which the embedded store hands back as
    # text: the relay reads it as a time like any other, or its whole pass would fail.
    collection = mongo[unique("store")]["aggregates"]
    await collection.insert_one(with_outbox({"_id": "inserted", "version": 1}, [_entry("i")]))
    await collection.insert_one(with_outbox({"_id": "changed", "version": 1}, []))
    assert await change_with_outbox(collection, "changed", lambda d: ({}, [_entry("c")]))
    broker = RecordingBroker()
    relay = OutboxRelay(broker, [collection], grace=timedelta(0))  # type: ignore[arg-type]

    assert await relay.relay_once() == 2

    assert broker.published == [("t", b"{}"), ("t", b"{}")]
    async for document in collection.find({}):
        assert document[OUTBOX] == [] and not document[PENDING], document


class WritingWhileDelivering(RecordingBroker):
    """A broker during whose publish of one record another writer adds to its document."""

    def __init__(self, collection: Any, racing_record: str) -> None:
        super().__init__()
        self.collection = collection
        self.racing_record = racing_record

    async def publish(self, value: bytes, topic: str, **_: Any) -> None:
        await super().publish(value, topic)
        if value == self.racing_record.encode():
            await change_with_outbox(
                self.collection, "doc-3", lambda d: ({"late": True}, [_entry("late")])
            )


async def test_many_documents_are_flushed_together_and_none_loses_a_record_added_meanwhile(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    collection = mongo[unique("store")]["aggregates"]

    def entry(document: int, n: int) -> Document:
        return {**_entry(f"{document}-{n}"), "value": f"{document}-{n}"}

    for document in range(5):
        entries = [entry(document, n) for n in range(3)]
        await collection.insert_one(with_outbox({"_id": f"doc-{document}", "version": 1}, entries))
    broker = WritingWhileDelivering(collection, racing_record="3-1")
    relay = OutboxRelay(broker, [collection])  # type: ignore[arg-type]

    ids = [f"doc-{d}" for d in range(5)] + ["missing"]
    assert await relay.flush_many(collection, ids) == 5

    published = [value.decode() for _, value in broker.published]
    assert sorted(published) == sorted(f"{d}-{n}" for d in range(5) for n in range(3))
    for document in range(5):  # each document's records in their order
        mine = [v for v in published if v.startswith(f"{document}-")]
        assert mine == [f"{document}-{n}" for n in range(3)]
    raced = await collection.find_one({"_id": "doc-3"})
    assert raced is not None and raced["late"]
    assert [e["id"] for e in raced[OUTBOX]] == ["late"] and raced[PENDING]
    async for document in collection.find({"_id": {"$ne": "doc-3"}}):
        assert document[OUTBOX] == [] and not document[PENDING], document

    assert await relay.flush_many(collection, ["doc-3"]) == 1
    assert broker.published[-1] == ("t", b"{}")
