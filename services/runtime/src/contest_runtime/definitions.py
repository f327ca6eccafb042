"""Each service's own copy of contest definitions, kept current from the definitions topic.

Intake owns definitions; judging, voting and notifications read them from their own
database, never from intake's. A copy only ever moves forward: an older or repeated
revision (redelivery, replay of the compacted topic) leaves it as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.envelope import Envelope
from contest_contracts.events import ContestDefined, ContestUpdated
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.topics import CONTEST_DEFINITIONS
from contest_runtime.consumers import ConsumerOptions, subscribe
from contest_runtime.mongo import Document
from contest_runtime.problems import ProblemError
from contest_runtime.service import ServiceRuntime


class ContestDefinitionCopies:
    """The ``contest_definitions`` collection of one service's database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["contest_definitions"]

    async def save(self, definition: ContestDefinition, revision: int, event_id: str) -> bool:
        """Keep ``definition`` unless a copy of the same or a newer revision is held already.

        Returns whether the copy changed.
        """
        try:
            result = await self.collection.update_one(
                {"_id": definition.contest_id, "revision": {"$lt": revision}},
                {
                    "$set": {
                        "revision": revision,
                        "definition": definition.model_dump(mode="json"),
                        "event_id": event_id,
                        "copied_at": datetime.now(UTC),
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the held copy is as new or newer: the filter missed, the upsert collided
        return result.modified_count == 1 or result.upserted_id is not None

    async def get(self, contest_id: str) -> ContestDefinition | None:
        """The current copy of a contest's definition, if one arrived."""
        document = await self.collection.find_one({"_id": contest_id})
        if document is None:
            return None
        return ContestDefinition.model_validate(document["definition"])

    async def require(self, contest_id: str) -> ContestDefinition:
        """The current copy of a contest's definition; a 404 problem when none arrived."""
        definition = await self.get(contest_id)
        if definition is None:
            raise ProblemError(
                404,
                "unknown_contest",
                "Not found",
                f"no contest {contest_id!r} (definitions arrive from {CONTEST_DEFINITIONS.name})",
            )
        return definition

    async def revision(self, contest_id: str) -> int | None:
        """The revision held for a contest, if any."""
        document = await self.collection.find_one({"_id": contest_id}, {"revision": 1})
        return None if document is None else int(document["revision"])


def keep_contest_definitions(runtime: ServiceRuntime) -> ContestDefinitionCopies:
    """Subscribe ``runtime``'s service to the definitions topic and return its copies."""
    copies = ContestDefinitionCopies(runtime.db)

    async def on_definition(envelope: Envelope[Any]) -> None:
        data: ContestDefined | ContestUpdated = envelope.data
        await copies.save(data.definition, data.revision, envelope.id)

    subscribe(
        runtime.broker,
        CONTEST_DEFINITIONS,
        {ContestDefined: on_definition, ContestUpdated: on_definition},
        options=ConsumerOptions.of(runtime.settings),
        dead_letters=runtime.dead_letters,
    )
    return copies
