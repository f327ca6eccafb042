"""The ``contests`` collection: each contest's definition, revision and submission close.

Intake is the owner of definitions; every change is written with its contest event in the
document's outbox, and the close of submission with its stage-closed event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.envelope import Envelope
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.topics import CONTEST_DEFINITIONS, STAGES
from contest_intake.domain.visibility import VisibilityChanged
from contest_runtime.mongo import Document
from contest_runtime.outbox import outbox_entry, with_outbox


class ContestExists(Exception):
    """A contest with this id is defined already."""


@dataclass(frozen=True)
class Contest:
    """A contest as intake holds it."""

    definition: ContestDefinition
    revision: int
    submission_closed_at: datetime | None
    submission_closed_by: str | None
    audit: list[VisibilityChanged] = field(default_factory=list)
    """Changes that are audited (of the vote's visibility), oldest first."""
    submission_opened_at: datetime | None = None
    """When the opening of submission was announced (`StageOpened`); None until then."""


class ContestStore:
    """Contest definitions and the state of their submission stage."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["contests"]

    async def create_indexes(self) -> None:
        """The scheduler looks for contests whose submission is still open."""
        await self.collection.create_index([("submission_open", ASCENDING)])

    async def define(self, definition: ContestDefinition, event: Envelope[Any]) -> None:
        """Store a new contest with its defined event; ``ContestExists`` if the id is taken."""
        document = {
            "_id": definition.contest_id,
            "version": 1,
            "revision": 1,
            "definition": definition.model_dump(mode="json"),
            "submission_open": True,
            "submission_closed_at": None,
            "submission_closed_by": None,
        }
        try:
            await self.collection.insert_one(
                with_outbox(document, [outbox_entry(CONTEST_DEFINITIONS, event)])
            )
        except DuplicateKeyError as error:
            raise ContestExists(definition.contest_id) from error

    async def get(self, contest_id: str) -> Contest | None:
        """One contest."""
        document = await self.collection.find_one({"_id": contest_id})
        return None if document is None else _contest(document)

    async def all(self) -> list[Contest]:
        """Every contest, by id."""
        cursor = self.collection.find({}).sort("_id", ASCENDING)
        return [_contest(document) async for document in cursor]

    async def open_submissions(self) -> list[Contest]:
        """Contests whose submission stage has not been closed yet."""
        cursor = self.collection.find({"submission_open": True})
        return [_contest(document) async for document in cursor]

    async def change(
        self, contest_id: str, change: Callable[[Contest], tuple[Document, Envelope[Any]] | None]
    ) -> Contest | None:
        """Apply ``change`` (fields to set and the event to publish, or None for no change).

        Retried from a fresh read when another write came first; ``None`` if no such contest.
        """
        while True:
            document = await self.collection.find_one({"_id": contest_id})
            if document is None:
                return None
            outcome = change(_contest(document))
            if outcome is None:
                return _contest(document)
            fields, event = outcome
            topic = STAGES if STAGES.carries(event.type) else CONTEST_DEFINITIONS
            replacement = with_outbox(
                document | fields | {"version": document["version"] + 1},
                [outbox_entry(topic, event)],
            )
            result = await self.collection.replace_one(
                {"_id": contest_id, "version": document["version"]}, replacement
            )
            if result.matched_count == 1:
                return _contest(replacement)


def _contest(document: Document) -> Contest:
    return Contest(
        definition=ContestDefinition.model_validate(document["definition"]),
        revision=document["revision"],
        submission_closed_at=document.get("submission_closed_at"),
        submission_closed_by=document.get("submission_closed_by"),
        audit=[VisibilityChanged.model_validate(entry) for entry in document.get("audit", [])],
        submission_opened_at=document.get("submission_opened_at"),
    )
