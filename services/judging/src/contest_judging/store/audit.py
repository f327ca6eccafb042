"""The audit log: every assignment, score change, conflict, close and decision, with who
and when. Entries are only ever inserted.

An entry that records a change of a stage or an assignment is written in that document's
outbox by the same write as the change (:func:`audit_entry`), and reaches the log when the
outbox is delivered (:class:`AuditingRelay`): a process killed between the change and the
log leaves the entry in the outbox, and the relay of the next one keeps it. Delivery is at
least once and an entry keeps its id, so the log holds it once. Other changes (commissions,
conflicts, special prizes, ended assignments) are logged after they are stored.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.envelope import new_event_id
from contest_runtime.mongo import Document
from contest_runtime.outbox import OutboxRelay

AUDIT = "audit"
"""The field that marks an outbox record as an audit entry (events have a ``topic``)."""


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
        """Append an entry about a change stored already (one without an outbox)."""
        await self.keep(audit_entry(contest_id, actor, action, subject, now, **detail))

    async def keep(self, entry: Document) -> None:
        """Append an entry made by :func:`audit_entry`; one kept before stays as it was (an
        outbox delivers it at least once)."""
        fields = entry[AUDIT]
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.insert_one(
                {"_id": entry["id"], **fields, "at": datetime.fromisoformat(fields["at"])}
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


def audit_entry(
    contest_id: str, actor: str, action: str, subject: str, now: datetime, **detail: Any
) -> Document:
    """An audit entry as an outbox record, for the write of the change it records. Its id is
    given now, so the log orders it by when the change was made however late it arrives;
    the time is kept as text, which every store gives back as it was written."""
    return {
        "id": new_event_id(),
        AUDIT: {
            "contest_id": contest_id,
            "at": now.isoformat(),
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": detail,
        },
    }


class AuditingRelay(OutboxRelay):
    """Judging's outbox relay: events go to their topics, audit entries to the log."""

    def __init__(
        self,
        broker: KafkaBroker,
        collections: list[AsyncCollection[Document]],
        audit: AuditLog,
        batch: int,
    ) -> None:
        super().__init__(broker, collections, batch=batch)
        self.audit = audit

    async def deliver(self, entry: Document) -> None:
        """Keep an audit entry in the log, publish an event."""
        if AUDIT in entry:
            await self.audit.keep(entry)
        else:
            await super().deliver(entry)
