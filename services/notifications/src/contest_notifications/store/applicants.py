"""The ``applicants`` collection: for each application, what is needed to write to its
applicant (name, title, email, language), followed from ``contest.applications.v1``, and
where it stands (left the competition, finalist)."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.common import Language
from contest_contracts.events.applications import ApplicationSnapshot
from contest_notifications.domain.rules import Applicant
from contest_runtime.mongo import Document


class Applicants:
    """Applicants' contacts by application id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["applicants"]

    async def create_indexes(self) -> None:
        """A contest's applicants."""
        await self.collection.create_index([("contest_id", ASCENDING)])

    async def keep(self, application: ApplicationSnapshot, revision: int) -> Applicant:
        """Keep an application's contact as of ``revision`` (an older one changes nothing)."""
        fields = {
            "contest_id": application.contest_id,
            "name": application.applicant.display_name,
            "title": application.title,
            "email": str(application.contact.email),
            "language": application.contact.language.value,
            "revision": revision,
        }
        await self.collection.update_one(
            {"_id": application.application_id, "revision": {"$lt": revision}},
            {"$set": fields},
        )
        # The first revision is inserted; an existing document (any revision) stays.
        await self.collection.update_one(
            {"_id": application.application_id},
            {"$setOnInsert": {**fields, "left": False, "finalist": False}},
            upsert=True,
        )
        applicant = await self.get(application.application_id)
        assert applicant is not None
        return applicant

    async def leave(self, application_id: str) -> None:
        """The application left the competition (withdrawn or ineligible)."""
        await self.collection.update_one({"_id": application_id}, {"$set": {"left": True}})

    async def mark_finalists(self, contest_id: str, finalists: set[str]) -> None:
        """Note which applications of a contest are finalists (the whole list)."""
        async for document in self.collection.find({"contest_id": contest_id}, {"_id": 1}):
            finalist = document["_id"] in finalists
            await self.collection.update_one(
                {"_id": document["_id"]}, {"$set": {"finalist": finalist}}
            )

    async def get(self, application_id: str) -> Applicant | None:
        """One applicant."""
        document = await self.collection.find_one({"_id": application_id})
        return None if document is None else _applicant(document)

    async def of_contest(self, contest_id: str) -> list[Applicant]:
        """Every applicant of a contest."""
        return [_applicant(d) async for d in self.collection.find({"contest_id": contest_id})]


def _applicant(document: Document) -> Applicant:
    return Applicant(
        application_id=document["_id"],
        contest_id=document["contest_id"],
        name=document["name"],
        title=document["title"],
        email=document["email"],
        language=Language(document["language"]),
        left=bool(document.get("left", False)),
        finalist=bool(document.get("finalist", False)),
    )
