"""The ``public_votes`` collection: one document per contest with its choices (the finalists
per nomination, from ``contest.finalists.v1``) and whether an operator closed the vote."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.events.judging import FinalistsSelected
from contest_runtime.mongo import Document


class Choice(BaseModel):
    """A finalist voters can choose."""

    application_id: str
    nomination_code: str
    region_code: str
    title: str
    display_name: str


class PublicVote(BaseModel):
    """A contest's public vote."""

    contest_id: str
    choices: list[Choice] = []
    selected_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    def choices_in(self, nomination_code: str) -> list[Choice]:
        """The choices of one nomination."""
        return [c for c in self.choices if c.nomination_code == nomination_code]

    def nominations(self) -> list[str]:
        """Nominations with choices, in code order."""
        return sorted({c.nomination_code for c in self.choices})


class PublicVotes:
    """Public votes of every contest."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["public_votes"]

    async def get(self, contest_id: str) -> PublicVote:
        """A contest's public vote (without choices until the finalists arrive)."""
        document = await self.collection.find_one({"_id": contest_id})
        if document is None:
            return PublicVote(contest_id=contest_id)
        return PublicVote.model_validate({k: v for k, v in document.items() if k != "_id"})

    async def keep_finalists(self, event: FinalistsSelected) -> None:
        """Take the finalists as the choices, unless a later list is held."""
        held = await self.get(event.contest_id)
        if held.selected_at is not None and held.selected_at >= event.selected_at:
            return
        choices = [
            Choice(
                application_id=f.application_id,
                nomination_code=f.nomination_code,
                region_code=f.region_code,
                title=f.title,
                display_name=f.display_name,
            ).model_dump()
            for f in event.finalists
        ]
        await self.collection.update_one(
            {"_id": event.contest_id},
            {
                "$set": {
                    "contest_id": event.contest_id,
                    "choices": choices,
                    "selected_at": event.selected_at,
                }
            },
            upsert=True,
        )
