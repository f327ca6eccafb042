"""The ``stages`` collection: one document per contest and stage that judging runs or needs.

- ``regional`` and ``republican``: opened when the previous stage closes, closed by an
  operator; the closing document carries the stage's summary (its rankings) and, for the
  regional stage, the finalists.
- ``public_vote``: voting's certified tally, kept when voting closes its stage.
- ``awards``: the published results.

Opening and closing write the events they cause into the same document (the outbox).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.common import StageKind
from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, SINCE, change_with_outbox, with_outbox


class StageStatus(StrEnum):
    """Whether a stage is running."""

    OPEN = "open"
    CLOSED = "closed"


class Stage(BaseModel):
    """A stage of a contest as judging records it."""

    contest_id: str
    stage: StageKind
    status: StageStatus
    opened_at: datetime | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    summary: dict[str, Any] | None = None
    """The contract's summary of the closed stage (JSON), or the published results."""
    finalists: list[dict[str, Any]] = []
    """The regional stage's finalists (JSON of the contract's ``Finalist``)."""
    version: int = 1


def stage_key(contest_id: str, stage: StageKind) -> str:
    """The id of a contest's stage document."""
    return f"{contest_id}/{stage.value}"


class StageStore:
    """Stages of every contest."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["stages"]

    async def get(self, contest_id: str, stage: StageKind) -> Stage | None:
        """A stage, if it was opened or recorded."""
        document = await self.collection.find_one({"_id": stage_key(contest_id, stage)})
        return None if document is None else _stage(document)

    async def insert(self, stage: Stage, entries: list[Document]) -> bool:
        """Record a stage with the events it causes; False when it is recorded already."""
        document = with_outbox(
            {"_id": stage_key(stage.contest_id, stage.stage), **stage.model_dump(mode="json")},
            entries,
        )
        for name in ("opened_at", "closes_at", "closed_at"):
            document[name] = getattr(stage, name)
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def close(
        self,
        contest_id: str,
        stage: StageKind,
        *,
        closed_at: datetime,
        closed_by: str,
        summary: dict[str, Any],
        finalists: list[dict[str, Any]],
        entries: list[Document],
    ) -> bool:
        """Close an open stage with its summary and the events it causes; False when it is
        not open (closed already, or never opened)."""
        changes = {
            "status": StageStatus.CLOSED.value,
            "closed_at": closed_at,
            "closed_by": closed_by,
            "summary": summary,
            "finalists": finalists,
        }

        def close(current: Document) -> tuple[Document, list[Document]] | None:
            return (changes, entries) if current["status"] == StageStatus.OPEN.value else None

        return await change_with_outbox(self.collection, stage_key(contest_id, stage), close)


def _stage(document: Document) -> Stage:
    hidden = {"_id", OUTBOX, PENDING, SINCE}
    return Stage.model_validate({k: v for k, v in document.items() if k not in hidden})
