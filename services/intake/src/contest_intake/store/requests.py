"""Requests that must have one outcome however often they arrive: API creations retried
with the same ``Idempotency-Key``, and ministry filings redelivered by the broker."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.envelope import Envelope
from contest_contracts.topics import MINISTRY_ANSWERS
from contest_runtime.mongo import Document, as_utc
from contest_runtime.outbox import change_with_outbox, outbox_entry, with_outbox


@dataclass(frozen=True)
class IdempotentRequest:
    """What a key was first used for."""

    fingerprint: str
    application_id: str


KEY_LIFETIME = timedelta(hours=24)
"""How long a key binds its first request: a retry within it has the first outcome; after
it the key is free for a new request (and the store's TTL index removes it)."""


class IdempotencyKeys:
    """``idempotency_keys``: key (per caller) → the request it was first used with, for
    :data:`KEY_LIFETIME`."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["idempotency_keys"]

    async def create_indexes(self) -> None:
        """The TTL index that removes keys past their lifetime."""
        await self.collection.create_index(
            [("at", ASCENDING)], expireAfterSeconds=int(KEY_LIFETIME.total_seconds())
        )

    async def claim(
        self, caller: str, key: str, fingerprint: str, application_id: str, now: datetime
    ) -> IdempotentRequest:
        """Record the key for this request, or return what it was recorded for before,
        within the key's lifetime. A key older than that binds nothing any more, whether the
        TTL index has removed it yet or not (MongoDB's removes once a minute at best)."""
        document_id = f"{caller}\x1f{key}"
        claim = {"fingerprint": fingerprint, "application_id": application_id, "at": now}
        while True:
            try:
                await self.collection.insert_one({"_id": document_id, **claim})
            except DuplicateKeyError:
                document = await self.collection.find_one({"_id": document_id})
                if document is None:
                    continue  # removed as expired since the insert: claim it afresh
                if as_utc(document["at"]) + KEY_LIFETIME >= now:
                    return IdempotentRequest(document["fingerprint"], document["application_id"])
                # Expired: take it over, unless another request took it over first.
                replaced = await self.collection.replace_one(
                    {"_id": document_id, "at": document["at"]}, claim
                )
                if replaced.matched_count == 0:
                    continue
            return IdempotentRequest(fingerprint, application_id)


class FilingAnswers:
    """``filings``: every ministry filing answered, with the answer in the outbox."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["filings"]

    async def answered_before(
        self,
        filing_key: str,
        event_id: str,
        answer_again: Callable[[Document], Envelope[Any]],
    ) -> bool:
        """Whether a filing with this key was answered before. When it was, a filing under
        an event id not seen yet is answered once more (``answer_again``, from the stored
        first answer and fingerprint); a redelivered event (an id seen) is not answered."""
        if await self.collection.find_one({"_id": filing_key}, {"_id": 1}) is None:
            return False

        def decide(stored: Document) -> tuple[Document, list[Document]] | None:
            seen = stored.get("event_ids", [])
            if event_id in seen:
                return None
            entry = outbox_entry(MINISTRY_ANSWERS, answer_again(stored))
            return {"event_ids": [*seen, event_id]}, [entry]

        await change_with_outbox(self.collection, filing_key, decide)
        return True

    async def record(
        self, filing_key: str, answer: Envelope[Any], event_id: str, fingerprint: str
    ) -> None:
        """Keep the answer (with the filing's event id and the fingerprint of its content)
        and publish it; a second answer to the same filing is dropped."""
        document = {
            "_id": filing_key,
            "version": 1,
            "answer": answer.data.model_dump(mode="json"),
            "event_ids": [event_id],
            "fingerprint": fingerprint,
        }
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.insert_one(
                with_outbox(document, [outbox_entry(MINISTRY_ANSWERS, answer)])
            )
