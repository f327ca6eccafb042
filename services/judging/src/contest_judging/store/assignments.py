"""The ``assignments`` collection: one document per juror and application at a stage, with
the juror's score sheet inside it (one sheet per assignment).

An assignment ends (``active`` false) when its juror declares a conflict; its sheet then no
longer counts and stays only as a record. Writes that cause events carry them in the
document's outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from contest_contracts.common import StageKind
from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, SINCE, change_with_outbox, with_outbox

_ASSIGNMENT_IDS = uuid.UUID("0b6f3c2a-5d1e-4c8f-9e27-6a4d8b1f3e55")
_DUPLICATE_KEY = 11000


class SheetRecord(BaseModel):
    """A juror's score sheet as stored."""

    scores: dict[str, int]
    comment: str
    weighted_total: float
    revision: int
    recorded_at: datetime


class Assignment(BaseModel):
    """A juror's assignment to score an application at a stage."""

    assignment_id: str
    contest_id: str
    stage: StageKind
    commission_id: str
    juror_id: str
    application_id: str
    nomination_code: str
    region_code: str
    assigned_at: datetime
    replaces_juror_id: str | None = None
    due_at: datetime | None = None
    """When the sheet is due: the stage's scheduled close."""
    active: bool = True
    ended_at: datetime | None = None
    ended_reason: str | None = None
    sheet: SheetRecord | None = None
    version: int = 1


def assignment_id(contest_id: str, stage: StageKind, application_id: str, juror_id: str) -> str:
    """The one id of a juror's assignment to an application at a stage (the sheet's id too)."""
    return str(
        uuid.uuid5(_ASSIGNMENT_IDS, f"{contest_id}\x1f{stage}\x1f{application_id}\x1f{juror_id}")
    )


Change = Callable[[Assignment], tuple[Document, list[Document]]]
"""Decides the fields to set on an assignment and the outbox entries to add (or refuses)."""


class AssignmentStore:
    """Assignments and sheets of every contest."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["assignments"]

    async def create_indexes(self) -> None:
        """A stage's assignments, and one juror's."""
        await self.collection.create_index(
            [("contest_id", ASCENDING), ("stage", ASCENDING), ("active", ASCENDING)]
        )
        await self.collection.create_index([("juror_id", ASCENDING), ("contest_id", ASCENDING)])

    async def add(self, assignments: list[tuple[Assignment, list[Document]]]) -> None:
        """Store new assignments with the events they cause; ones stored already stay."""
        if not assignments:
            return
        documents = [
            with_outbox({"_id": a.assignment_id, **a.model_dump(mode="python")}, entries)
            for a, entries in assignments
        ]
        try:
            await self.collection.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            others = [e for e in error.details["writeErrors"] if e["code"] != _DUPLICATE_KEY]
            if others:
                raise

    async def get(self, assignment_id: str) -> Assignment | None:
        """One assignment."""
        document = await self.collection.find_one({"_id": assignment_id})
        return None if document is None else _assignment(document)

    async def change(self, assignment_id: str, decide: Change) -> Assignment | None:
        """Apply ``decide`` to the current assignment in one versioned write (retried when
        another write came first); None when there is no such assignment."""
        changed = await change_with_outbox(
            self.collection, assignment_id, lambda document: decide(_assignment(document))
        )
        return await self.get(assignment_id) if changed else None

    async def end(self, assignment_id: str, reason: str, now: datetime) -> bool:
        """End an active assignment; False when there is none in force."""
        result = await self.collection.update_one(
            {"_id": assignment_id, "active": True},
            {
                "$set": {"active": False, "ended_at": now, "ended_reason": reason},
                "$inc": {"version": 1},
            },
        )
        return result.modified_count == 1

    async def in_force(
        self, contest_id: str, stage: StageKind, commission_id: str | None = None
    ) -> list[Assignment]:
        """A stage's active assignments (of one commission, if given), in id order."""
        query: Document = {"contest_id": contest_id, "stage": stage.value, "active": True}
        if commission_id is not None:
            query["commission_id"] = commission_id
        return await self._find(query)

    async def of_juror(self, contest_id: str, stage: StageKind, juror_id: str) -> list[Assignment]:
        """One juror's active assignments at a stage."""
        return await self._find(
            {"contest_id": contest_id, "stage": stage.value, "juror_id": juror_id, "active": True}
        )

    async def held(self, contest_id: str, application_id: str, juror_id: str) -> list[Assignment]:
        """One juror's active assignments to one application, at any stage."""
        return await self._find(
            {
                "contest_id": contest_id,
                "application_id": application_id,
                "juror_id": juror_id,
                "active": True,
            }
        )

    async def _find(self, query: Document) -> list[Assignment]:
        cursor = self.collection.find(query).sort("_id", ASCENDING)
        return [_assignment(d) async for d in cursor]


def _assignment(document: Document) -> Assignment:
    hidden = {"_id", OUTBOX, PENDING, SINCE}
    return Assignment.model_validate({k: v for k, v in document.items() if k not in hidden})
