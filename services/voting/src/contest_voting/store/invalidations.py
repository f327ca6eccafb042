"""The ``invalidations`` collection: the audit of every fraud invalidation.

A record is written before any ballot is touched and completed with what it invalidated, so
even an invalidation cut short leaves its trace (the ballots carry its id too).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_runtime.mongo import Document, StoredTime


class Invalidation(BaseModel):
    """An operator's decision to take ballots out of the count."""

    invalidation_id: str
    contest_id: str
    reason: str
    by: str
    at: StoredTime
    selection: dict[str, Any]
    """What was selected: ``{"voter_key": ...}`` or the window and address range."""
    ballots_invalidated: dict[str, int] | None = None
    """Per nomination, the ballots this decision made invalid; None while it is applied."""


class Invalidations:
    """Records of fraud invalidations, per contest in the order they were decided."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["invalidations"]

    async def create_indexes(self) -> None:
        """A contest's invalidations in order."""
        await self.collection.create_index([("contest_id", ASCENDING), ("at", ASCENDING)])

    async def begin(self, invalidation: Invalidation) -> None:
        """Record the decision before it is applied."""
        document = invalidation.model_dump(exclude={"invalidation_id"})
        await self.collection.insert_one({"_id": invalidation.invalidation_id, **document})

    async def complete(self, invalidation_id: str, ballots: dict[str, int]) -> None:
        """Record what the decision invalidated."""
        await self.collection.update_one(
            {"_id": invalidation_id}, {"$set": {"ballots_invalidated": ballots}}
        )

    async def of_contest(self, contest_id: str) -> list[Invalidation]:
        """Every invalidation of a contest, oldest first."""
        cursor = self.collection.find({"contest_id": contest_id}).sort("at", ASCENDING)
        return [Invalidation(invalidation_id=d["_id"], **d) async for d in cursor]
