"""The ``opt_outs`` collection: recipients who want no messages that are not essential."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_runtime.mongo import Document


class OptOut(BaseModel):
    """A recipient's opt-out, as recorded."""

    recipient_id: str
    recorded_by: str
    recorded_at: datetime
    reason: str | None = None


class OptOuts:
    """Opt-outs by recipient id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["opt_outs"]

    async def record(self, opt_out: OptOut) -> None:
        """Record (or restate) an opt-out."""
        document = opt_out.model_dump(exclude={"recipient_id"})
        await self.collection.replace_one(
            {"_id": opt_out.recipient_id}, {"_id": opt_out.recipient_id, **document}, upsert=True
        )

    async def withdraw(self, recipient_id: str) -> bool:
        """Withdraw an opt-out; False when there was none."""
        return (await self.collection.delete_one({"_id": recipient_id})).deleted_count == 1

    async def get(self, recipient_id: str) -> OptOut | None:
        """A recipient's opt-out, if any."""
        document = await self.collection.find_one({"_id": recipient_id})
        if document is None:
            return None
        return OptOut(
            recipient_id=recipient_id, **{k: v for k, v in document.items() if k != "_id"}
        )
