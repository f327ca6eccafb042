"""Changes with their events in one document: a change made while another write lands is
decided again on the newer document, and no outbox record is ever dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, change_with_outbox, with_outbox

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
