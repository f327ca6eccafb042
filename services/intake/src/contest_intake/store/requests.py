"""Requests that must have one outcome however often they arrive: API creations retried
with the same ``Idempotency-Key``, and ministry filings redelivered by the broker."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.envelope import Envelope
from contest_contracts.topics import MINISTRY_ANSWERS
from contest_runtime.mongo import Document
from contest_runtime.outbox import outbox_entry, with_outbox


@dataclass(frozen=True)
class IdempotentRequest:
    """What a key was first used for."""

    fingerprint: str
    application_id: str


class IdempotencyKeys:
    """``idempotency_keys``: key (per caller) → the request it was first used with."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["idempotency_keys"]

    async def claim(
        self, caller: str, key: str, fingerprint: str, application_id: str, now: datetime
    ) -> IdempotentRequest:
        """Record the key for this request, or return what it was recorded for before."""
        document_id = f"{caller}\x1f{key}"
        try:
            await self.collection.insert_one(
                {
                    "_id": document_id,
                    "fingerprint": fingerprint,
                    "application_id": application_id,
                    "at": now,
                }
            )
        except DuplicateKeyError:
            document = await self.collection.find_one({"_id": document_id})
            assert document is not None, "idempotency keys are never deleted while in use"
            return IdempotentRequest(document["fingerprint"], document["application_id"])
        return IdempotentRequest(fingerprint, application_id)


class FilingAnswers:
    """``filings``: every ministry filing answered, with the answer in the outbox."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["filings"]

    async def answered(self, filing_key: str) -> bool:
        """Whether this filing has been answered already (a redelivery)."""
        return await self.collection.find_one({"_id": filing_key}, {"_id": 1}) is not None

    async def record(self, filing_key: str, answer: Envelope[Any]) -> None:
        """Keep the answer and publish it; a second answer to the same filing is dropped."""
        document = {"_id": filing_key, "version": 1, "answer": answer.data.model_dump(mode="json")}
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.insert_one(
                with_outbox(document, [outbox_entry(MINISTRY_ANSWERS, answer)])
            )
