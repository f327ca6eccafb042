"""Decisions recorded by jurors and commissions: declared conflicts and special prizes.

Both are keyed so that the same decision recorded twice is one decision.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_runtime.mongo import Document


class Conflict(BaseModel):
    """A juror declared a conflict of interest with an application."""

    contest_id: str
    juror_id: str
    application_id: str
    reason: str
    declared_at: datetime


class SpecialPrizeDecision(BaseModel):
    """A commission gave an application a special prize."""

    contest_id: str
    application_id: str
    nomination_code: str
    reason: str
    decided_by: str
    decided_at: datetime


class Decisions:
    """The ``conflicts`` and ``special_prizes`` collections."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.conflicts: AsyncCollection[Document] = db["conflicts"]
        self.special_prizes: AsyncCollection[Document] = db["special_prizes"]

    async def create_indexes(self) -> None:
        """A contest's conflicts and prizes."""
        await self.conflicts.create_index([("contest_id", ASCENDING)])
        await self.special_prizes.create_index([("contest_id", ASCENDING)])

    async def declare_conflict(self, conflict: Conflict) -> bool:
        """Record a conflict; False when it was declared before."""
        key = f"{conflict.contest_id}/{conflict.juror_id}/{conflict.application_id}"
        return await _insert(self.conflicts, key, conflict)

    async def conflicts_of(self, contest_id: str) -> dict[str, frozenset[str]]:
        """Juror → applications they declared a conflict with."""
        held: dict[str, set[str]] = {}
        async for document in self.conflicts.find({"contest_id": contest_id}):
            held.setdefault(document["juror_id"], set()).add(document["application_id"])
        return {juror: frozenset(apps) for juror, apps in held.items()}

    async def give_special_prize(self, prize: SpecialPrizeDecision) -> bool:
        """Record a special prize; False when the application holds one already."""
        return await _insert(
            self.special_prizes, f"{prize.contest_id}/{prize.application_id}", prize
        )

    async def withdraw_special_prize(self, contest_id: str, application_id: str) -> bool:
        """Take a special prize back; False when there was none."""
        result = await self.special_prizes.delete_one({"_id": f"{contest_id}/{application_id}"})
        return result.deleted_count == 1

    async def special_prizes_of(self, contest_id: str) -> list[SpecialPrizeDecision]:
        """A contest's special prizes, in the order they were given."""
        cursor = self.special_prizes.find({"contest_id": contest_id}).sort("decided_at", ASCENDING)
        return [SpecialPrizeDecision.model_validate(d) async for d in cursor]


async def _insert(collection: AsyncCollection[Document], key: str, record: BaseModel) -> bool:
    try:
        await collection.insert_one({"_id": key, **record.model_dump()})
    except DuplicateKeyError:
        return False
    return True
