"""The ``webhook_subscriptions`` collection: where regional systems want events sent."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, SecretStr
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_runtime.mongo import Document


class Subscription(BaseModel):
    """A webhook subscription."""

    subscription_id: str
    url: str
    secret: SecretStr
    event_types: list[str]
    regions: list[str] | None = None
    created_by: str
    created_at: datetime


class Subscriptions:
    """Webhook subscriptions."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["webhook_subscriptions"]

    async def add(self, subscription: Subscription) -> None:
        """Store a new subscription."""
        document = subscription.model_dump(exclude={"subscription_id", "secret"})
        document["secret"] = subscription.secret.get_secret_value()
        await self.collection.insert_one({"_id": subscription.subscription_id, **document})

    async def remove(self, subscription_id: str) -> bool:
        """Delete a subscription; False when there was none."""
        result = await self.collection.delete_one({"_id": subscription_id})
        return result.deleted_count == 1

    async def get(self, subscription_id: str) -> Subscription | None:
        """One subscription."""
        document = await self.collection.find_one({"_id": subscription_id})
        return None if document is None else _subscription(document)

    async def all(self) -> list[Subscription]:
        """Every subscription."""
        return [_subscription(d) async for d in self.collection.find({})]


def _subscription(document: Document) -> Subscription:
    return Subscription(
        subscription_id=document["_id"], **{k: v for k, v in document.items() if k != "_id"}
    )
