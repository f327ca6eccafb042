"""The ``commissions`` collection: one document per commission, keyed by contest, level and
region, so a contest can never have two commissions for the same region."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_judging.domain.commissions import CommissionForm, commission_key
from contest_runtime.mongo import Document


class Commission(CommissionForm):
    """A stored commission."""

    commission_id: str
    contest_id: str
    updated_at: datetime
    updated_by: str


class CommissionStore:
    """Commissions of every contest."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["commissions"]

    async def create_indexes(self) -> None:
        """Listing a contest's commissions."""
        await self.collection.create_index([("contest_id", ASCENDING)])

    async def put(
        self, contest_id: str, form: CommissionForm, by: str, now: datetime
    ) -> tuple[Commission, bool]:
        """Create or replace the commission of ``form``'s level and region; returns it and
        whether it was created."""
        commission = Commission(
            commission_id=commission_key(contest_id, form.level, form.region_code),
            contest_id=contest_id,
            updated_at=now,
            updated_by=by,
            **form.model_dump(),
        )
        document = {"_id": commission.commission_id, **commission.model_dump(mode="json")}
        document["updated_at"] = now
        try:
            await self.collection.insert_one(document)
            return commission, True
        except DuplicateKeyError:
            await self.collection.replace_one({"_id": commission.commission_id}, document)
            return commission, False

    async def of_contest(self, contest_id: str) -> list[Commission]:
        """A contest's commissions, republican first, then by region."""
        cursor = self.collection.find({"contest_id": contest_id}).sort("_id", ASCENDING)
        return [_commission(d) async for d in cursor]

    async def get(self, commission_id: str) -> Commission | None:
        """A commission by its id."""
        document = await self.collection.find_one({"_id": commission_id})
        return None if document is None else _commission(document)


def _commission(document: Document) -> Commission:
    return Commission.model_validate({k: v for k, v in document.items() if k != "_id"})
