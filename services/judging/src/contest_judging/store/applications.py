"""Judging's copy of applications, kept from ``contest.applications.v1``.

Only what judging needs: where an application competes, what links it to people (for
conflicts), its public title and name (for finalists and results), and whether it is
eligible. Events of one application arrive in order (the topic is keyed by application id);
a replayed older snapshot never overwrites a newer one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.common import ApplicantKind
from contest_contracts.events.applications import ApplicationSnapshot, ScreeningDecision
from contest_runtime.mongo import Document, as_utc


class ApplicationCopy(BaseModel):
    """An application as judging sees it."""

    application_id: str
    contest_id: str
    nomination_code: str
    region_code: str
    applicant_identifier: str
    organisation_bin: str | None
    """The applicant's employer (a person) or the applicant's own BIN (an organisation)."""
    title: str
    display_name: str
    details: dict[str, Any]
    """The nomination's fields, for the jurors who score it (no identity or contact)."""
    submitted_at: datetime
    withdrawn: bool = False
    decision: ScreeningDecision | None = None

    @property
    def eligible(self) -> bool:
        """Screened eligible and not withdrawn."""
        return self.decision == ScreeningDecision.ELIGIBLE and not self.withdrawn


class ApplicationCopies:
    """The ``applications`` collection of judging's database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["applications"]

    async def create_indexes(self) -> None:
        """Finding a contest's eligible applications."""
        await self.collection.create_index([("contest_id", ASCENDING), ("decision", ASCENDING)])

    async def keep(self, snapshot: ApplicationSnapshot, revision: int) -> None:
        """Keep a submitted or updated application unless a newer revision is held."""
        applicant = snapshot.applicant
        organisation = (
            applicant.identifier
            if applicant.kind == ApplicantKind.ORGANISATION
            else applicant.organisation_bin
        )
        # A newer revision held makes the filter miss and the upsert collide: it stays.
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one(
                {"_id": snapshot.application_id, "revision": {"$lt": revision}},
                {
                    "$set": {
                        "revision": revision,
                        "contest_id": snapshot.contest_id,
                        "nomination_code": snapshot.nomination_code,
                        "region_code": snapshot.region_code,
                        "applicant_identifier": applicant.identifier,
                        "organisation_bin": organisation,
                        "title": snapshot.title,
                        "display_name": applicant.display_name,
                        "details": snapshot.details.model_dump(mode="json"),
                        "submitted_at": snapshot.submitted_at,
                    }
                },
                upsert=True,
            )

    async def withdraw(self, application_id: str) -> None:
        """The applicant withdrew."""
        await self.collection.update_one({"_id": application_id}, {"$set": {"withdrawn": True}})

    async def screen(
        self, application_id: str, decision: ScreeningDecision, screened_at: datetime
    ) -> bool:
        """Keep a screening decision unless a later one is held; returns whether it changed.

        Read, compare, write: one application's events are handled one at a time.
        """
        document = await self.collection.find_one({"_id": application_id}, {"screened_at": 1})
        if document is None:
            return False
        held = document.get("screened_at")
        if held is not None and as_utc(held) >= screened_at:
            return False
        await self.collection.update_one(
            {"_id": application_id},
            {"$set": {"decision": decision.value, "screened_at": screened_at}},
        )
        return True

    async def get(self, application_id: str) -> ApplicationCopy | None:
        """One application, if it arrived."""
        document = await self.collection.find_one({"_id": application_id})
        return None if document is None else _copy(document)

    async def eligible(self, contest_id: str) -> list[ApplicationCopy]:
        """A contest's eligible applications, in id order."""
        cursor = self.collection.find(
            {"contest_id": contest_id, "decision": ScreeningDecision.ELIGIBLE.value}
        ).sort("_id", ASCENDING)
        return [c for c in [_copy(d) async for d in cursor] if c.eligible]

    async def of_ids(self, application_ids: Iterable[str]) -> dict[str, ApplicationCopy]:
        """Applications by id."""
        cursor = self.collection.find({"_id": {"$in": sorted(set(application_ids))}})
        return {d["_id"]: _copy(d) async for d in cursor}


def _copy(document: Document) -> ApplicationCopy:
    return ApplicationCopy(application_id=document["_id"], **document)
