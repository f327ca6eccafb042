"""``standings``: each application's place at each closed judging stage, as judging's
`StageClosed` announced it; shown to the applicant where the contest allows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.common import StageKind
from contest_runtime.mongo import Document


class StageStanding(BaseModel):
    """Where an application stood when a judging stage closed."""

    application_id: str
    contest_id: str
    stage: StageKind
    rank: int = Field(description="Its rank in its nomination (and region at the regional stage).")
    ranked: int = Field(description="How many applications that ranking holds.")
    score: float = Field(description="Its score at the stage.")
    sheets: int = Field(description="Jurors' sheets the score rests on.")
    criteria: dict[str, float] = Field(
        description="Each criterion's mean over those sheets, in the rubric's points."
    )
    closed_at: datetime


class StandingStore:
    """Standings by application and stage; a redelivered close writes the same documents."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["standings"]

    async def create_indexes(self) -> None:
        """Standings are read by application."""
        await self.collection.create_index("application_id")

    async def keep(self, standings: list[StageStanding]) -> None:
        """Write a closed stage's standings (replacing what an earlier delivery wrote)."""
        if standings:
            await self.collection.bulk_write(
                [
                    ReplaceOne({"_id": key}, {"_id": key, **s.model_dump()}, upsert=True)
                    for s in standings
                    for key in [f"{s.application_id}\x1f{s.stage.value}"]
                ],
                ordered=False,
            )

    async def of_application(self, application_id: str) -> list[StageStanding]:
        """The application's standings, regional stage first."""
        documents = await self.collection.find({"application_id": application_id}).to_list()
        found = [StageStanding.model_validate(d) for d in documents]  # `_id` left out
        return sorted(found, key=lambda s: s.closed_at)
