"""One-time codes and rate limits, in MongoDB so that every voting replica shares them.

- ``codes``: one live code per voter (the latest request replaces the previous one), stored
  as a digest, with its expiry and the attempts left.
- ``rate_limits``: fixed-window counters, one document per rule, subject and window; a TTL
  index removes old windows.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_runtime.mongo import Document


class RateLimits:
    """Counters of requests per rule and subject (a voter, a client address)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["rate_limits"]

    async def create_indexes(self) -> None:
        """Old windows expire."""
        await self.collection.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    async def spend(
        self, rule: str, subject: str, limit: int, window: timedelta, now: datetime
    ) -> float | None:
        """Count one request; None while within ``limit`` per ``window``, else the seconds
        until the window ends (the ``Retry-After``)."""
        seconds = window.total_seconds()
        index = math.floor(now.timestamp() / seconds)
        ends = datetime.fromtimestamp((index + 1) * seconds, tz=now.tzinfo)
        key = f"{rule}:{subject}:{index}"
        document = await self.collection.find_one_and_update(
            {"_id": key},
            {"$inc": {"count": 1}, "$set": {"expires_at": ends}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if document is not None and document.get("count", 0) > limit:
            return max(1.0, (ends - now).total_seconds())
        return None


class Codes:
    """The live one-time code of each voter."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["codes"]

    async def create_indexes(self) -> None:
        """Expired codes go away."""
        await self.collection.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    async def issue(self, voter_key: str, digest: str, expires_at: datetime, attempts: int) -> None:
        """Make ``digest`` the voter's live code (a new request replaces the old code)."""
        await self.collection.replace_one(
            {"_id": voter_key},
            # The id is repeated in the document: the embedded store does not take it from
            # the filter on an upsert.
            {
                "_id": voter_key,
                "digest": digest,
                "expires_at": expires_at,
                "attempts_left": attempts,
            },
            upsert=True,
        )

    async def attempt(self, voter_key: str, now: datetime) -> tuple[str, int] | None:
        """Spend one attempt on the voter's live code: its digest and the attempts left after
        this one; None when there is no live code (never sent, expired or used up)."""
        while True:
            document = await self.collection.find_one({"_id": voter_key})
            if document is None or document["attempts_left"] <= 0:
                return None
            if document["expires_at"] <= now:
                return None
            # Compare-and-set on the attempts left: two concurrent attempts spend two.
            result = await self.collection.update_one(
                {"_id": voter_key, "attempts_left": document["attempts_left"]},
                {"$inc": {"attempts_left": -1}},
            )
            if result.modified_count == 1:
                return document["digest"], int(document["attempts_left"]) - 1

    async def use_up(self, voter_key: str) -> None:
        """A code works once."""
        await self.collection.delete_one({"_id": voter_key})
