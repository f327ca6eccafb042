"""One-time codes, rate limits and spent challenges, in MongoDB so that every voting replica
shares them.

- ``codes``: one live code per voter (the latest request replaces the previous one), stored
  as a digest, with its expiry and the attempts left.
- ``rate_limits``: fixed-window counters, one document per rule, subject and window; a TTL
  index removes old windows.
- ``spent_challenges``: the proof-of-work challenges a code was sent for, by signature,
  until they expire (a TTL index); a challenge buys one code, on whichever replica.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_runtime.mongo import Document, epoch_ms


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
    """The live one-time code of each voter.

    A code is live while it has attempts left and ``expires_ms`` is ahead; ``expires_at``
    is the same moment as a date, for the TTL index that removes it.
    """

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
                "expires_ms": epoch_ms(expires_at),
                "attempts_left": attempts,
            },
            upsert=True,
        )

    async def redeem(self, voter_key: str, digest: str, now: datetime) -> bool:
        """Use up the voter's live code if its digest is ``digest`` (a code works once);
        whether it was. One write: the common case, the right code, costs nothing more.

        The digest is compared by the store, not in constant time; it is a keyed hash of
        the code and each code allows a few attempts, so its timing tells nothing usable.
        """
        document = await self.collection.find_one_and_delete(
            {"digest": digest, **_live(voter_key, now)}, {"_id": 1}
        )
        return document is not None

    async def spend_attempt(self, voter_key: str, now: datetime) -> int | None:
        """Spend one attempt of the voter's live code on a wrong code: the attempts left
        after it; None when there is no live code (never sent, expired or used up). Atomic:
        two concurrent wrong codes spend two attempts."""
        document = await self.collection.find_one_and_update(
            _live(voter_key, now),
            {"$inc": {"attempts_left": -1}},
            {"attempts_left": 1},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else int(document["attempts_left"])


class SpentChallenges:
    """Challenges that bought a code already."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["spent_challenges"]

    async def create_indexes(self) -> None:
        """A challenge is forgotten once it has expired (it is refused for that anyway)."""
        await self.collection.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    async def spend(self, signature: str, expires_at: datetime) -> bool:
        """Spend a challenge; False when it was spent already. One insert on the unique
        ``_id``: of two requests racing with one solution, on any replicas, one wins."""
        try:
            await self.collection.insert_one({"_id": signature, "expires_at": expires_at})
        except DuplicateKeyError:
            return False
        return True


def _live(voter_key: str, now: datetime) -> Document:
    return {"_id": voter_key, "attempts_left": {"$gt": 0}, "expires_ms": {"$gt": epoch_ms(now)}}
