"""The audit log: every assignment, score change, conflict, close and decision, with who
and when. Entries are only ever inserted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.envelope import new_event_id
from contest_runtime.mongo import Document


class AuditEntry(BaseModel):
    """One thing that happened."""

    entry_id: str
    contest_id: str
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


class AuditLog:
    """The ``audit`` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["audit"]

    async def create_indexes(self) -> None:
        """Reading one contest's log in order."""
        await self.collection.create_index([("contest_id", ASCENDING)])

    async def record(
        self,
        contest_id: str,
        actor: str,
        action: str,
        subject: str,
        now: datetime,
        **detail: Any,
    ) -> None:
        """Append an entry."""
        entry_id = new_event_id()
        await self.collection.insert_one(
            {
                "_id": entry_id,
                "contest_id": contest_id,
                "at": now,
                "actor": actor,
                "action": action,
                "subject": subject,
                "detail": detail,
            }
        )

    async def of_contest(
        self, contest_id: str, *, after: str | None, limit: int
    ) -> list[AuditEntry]:
        """A page of a contest's log, oldest first."""
        query: Document = {"contest_id": contest_id}
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.collection.find(query).sort("_id", ASCENDING).limit(limit)
        return [
            AuditEntry(entry_id=d["_id"], **{k: v for k, v in d.items() if k != "_id"})
            async for d in cursor
        ]
