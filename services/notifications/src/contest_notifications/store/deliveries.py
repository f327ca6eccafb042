"""The ``deliveries`` collection: one document per (notification, channel, recipient), the
delivery key, so a redelivered event or a restart can never send a message twice; and the
log of every attempt.

Times the store compares are kept as epoch milliseconds: numbers compare the same in every
MongoDB-protocol store. A delivery is claimed for a lease before it is sent, so two
replicas (or the consumer and the retry loop) never send it at once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.common import Language
from contest_contracts.events.notifications import Channel
from contest_runtime.mongo import Document, StoredTime, epoch_ms


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    OPTED_OUT = "opted_out"
    """Not sent: the recipient opted out of messages that are not essential."""
    CANCELLED = "cancelled"
    """Not sent: what it was about happened first (a reminder of a sheet now submitted)."""


class Attempt(BaseModel):
    """One try at the channel."""

    at: datetime
    error: str | None = None


class Delivery(BaseModel):
    """A message to one recipient over one channel."""

    key: str
    notification_id: str
    channel: Channel
    recipient_id: str
    address: str
    language: Language
    template: str
    parameters: dict[str, str]
    priority: bool = Field(description="A one-time code: sent on the path bulk cannot delay.")
    essential: bool = Field(
        default=False, description="Sent despite an opt-out (one-time codes, legal notices)."
    )
    contest_id: str | None = None
    event_id: str = Field(description="The event that asked for it.")
    source_topic: str | None = Field(default=None, description="Webhooks: the event's topic.")
    payload: str | None = Field(default=None, description="Webhooks: the event's JSON.")
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[Attempt] = []
    next_attempt_ms: int = 0
    claimed_until_ms: int = 0
    created_at: StoredTime
    delivered_at: StoredTime | None = None


def delivery_key(notification_id: str, channel: Channel, recipient_id: str) -> str:
    """What makes a delivery unique."""
    return f"{notification_id}/{channel.value}/{recipient_id}"


def new_delivery(
    *,
    notification_id: str,
    channel: Channel,
    recipient_id: str,
    created_at: datetime,
    **fields: Any,
) -> Delivery:
    """A pending delivery under the key its notification, channel and recipient make."""
    return Delivery(
        key=delivery_key(notification_id, channel, recipient_id),
        notification_id=notification_id,
        channel=channel,
        recipient_id=recipient_id,
        created_at=created_at,
        **fields,
    )


class Deliveries:
    """Deliveries and their attempts."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["deliveries"]

    async def create_indexes(self) -> None:
        """Due deliveries; the log by recipient, notification and status."""
        await self.collection.create_index([("status", ASCENDING), ("next_attempt_ms", ASCENDING)])
        for field in ("recipient_id", "notification_id", "event_id"):
            await self.collection.create_index([(field, ASCENDING)])

    async def add(self, delivery: Delivery) -> bool:
        """Store a new delivery; False when its key is known already."""
        try:
            await self.collection.insert_one(_document(delivery))
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, key: str, now: datetime, lease_ms: int) -> Delivery | None:
        """Take a pending delivery whose time has come for ``lease_ms``; None when it is not
        pending, not due, or claimed by another sender."""
        now_ms = epoch_ms(now)
        document = await self.collection.find_one_and_update(
            {
                "_id": key,
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_ms": {"$lte": now_ms},
                "claimed_until_ms": {"$lt": now_ms},
            },
            {"$set": {"claimed_until_ms": now_ms + lease_ms}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else _delivery(document)

    async def record(
        self,
        delivery: Delivery,
        attempt: Attempt,
        status: DeliveryStatus,
        next_attempt_ms: int = 0,
    ) -> Delivery:
        """Record an attempt and what follows from it; releases the claim."""
        attempts = [*delivery.attempts, attempt]
        changes: Document = {
            # The whole list is set: a subdocument added with $push is not kept as one by
            # every MongoDB-protocol store.
            "attempts": [a.model_dump() for a in attempts],
            "status": status.value,
            "next_attempt_ms": next_attempt_ms,
            "claimed_until_ms": 0,
        }
        if status == DeliveryStatus.DELIVERED:
            changes["delivered_at"] = attempt.at
        await self.collection.update_one({"_id": delivery.key}, {"$set": changes})
        return delivery.model_copy(
            update={
                "attempts": attempts,
                "status": status,
                "next_attempt_ms": next_attempt_ms,
                "delivered_at": changes.get("delivered_at"),
            }
        )

    async def cancel(self, key: str) -> bool:
        """Cancel a delivery not sent yet; False when there is none pending."""
        result = await self.collection.update_one(
            {"_id": key, "status": DeliveryStatus.PENDING.value},
            {"$set": {"status": DeliveryStatus.CANCELLED.value}},
        )
        return result.modified_count == 1

    async def retry(self, key: str) -> bool:
        """Make a failed delivery pending again, due now (an operator's replay)."""
        result = await self.collection.update_one(
            {"_id": key, "status": DeliveryStatus.FAILED.value},
            {"$set": {"status": DeliveryStatus.PENDING.value, "next_attempt_ms": 0}},
        )
        return result.modified_count == 1

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Keys of pending deliveries whose next attempt is due and that no sender holds."""
        now_ms = epoch_ms(now)
        cursor = self.collection.find(
            {
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_ms": {"$lte": now_ms},
                "claimed_until_ms": {"$lt": now_ms},
            },
            {"_id": 1},
        ).limit(limit)
        return [document["_id"] async for document in cursor]

    async def get(self, key: str) -> Delivery | None:
        """One delivery."""
        document = await self.collection.find_one({"_id": key})
        return None if document is None else _delivery(document)

    async def find(
        self,
        *,
        recipient_id: str | None = None,
        notification_id: str | None = None,
        event_id: str | None = None,
        status: DeliveryStatus | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """The log, filtered, newest first."""
        query: Document = {}
        if event_id is not None:
            query["event_id"] = event_id
        if recipient_id is not None:
            query["recipient_id"] = recipient_id
        if notification_id is not None:
            query["notification_id"] = notification_id
        if status is not None:
            query["status"] = status.value
        cursor = self.collection.find(query).sort("created_at", -1).limit(limit)
        return [_delivery(document) async for document in cursor]


def _document(delivery: Delivery) -> Document:
    return {"_id": delivery.key, **delivery.model_dump(mode="python", exclude={"key"})}


def _delivery(document: Document) -> Delivery:
    return Delivery(key=document["_id"], **{k: v for k, v in document.items() if k != "_id"})
