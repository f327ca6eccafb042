"""The ``applications`` collection: one document per application, with its outbox.

Top-level fields (``slot``, ``contest_id``, ``region_code``...) exist for indexes and
filters; the application itself is kept whole under ``application``. Every write checks
and increments ``version``, so concurrent changes never overwrite each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.common import NominationKind
from contest_contracts.envelope import Envelope
from contest_contracts.topics import APPLICATIONS
from contest_intake.domain.applications import FILED, Application, ApplicationStatus
from contest_intake.domain.forms import Refused
from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, SINCE, outbox_entry, with_outbox


class ApplicationExists(Exception):
    """The applicant already has an application in this nomination of this contest."""


class ApplicationIdTaken(Exception):
    """An application with this id exists already (a retried creation)."""


@dataclass(frozen=True)
class ApplicationFilter:
    """Which applications a listing shows."""

    contest_id: str
    region_code: str | None = None
    nomination_code: str | None = None
    status: ApplicationStatus | None = None
    statuses: frozenset[ApplicationStatus] | None = None
    nomination_kind: NominationKind | None = None
    text: str | None = None
    """Words the public title or the applicant's public name contain (any case): matched
    literally, never as a pattern."""


TEXT_FIELDS = ("application.form.details.project_title", "application.form.applicant.display_name")
"""Where a text query looks: the short public fields, which hold no personal data (intake
refuses it there). The long texts are masked when shown, so a match in them could tell
what the mask hides: they are not searched."""


IDENTIFIER = "application.form.applicant.identifier"
"""The applicant's IIN/BIN, by which the ministry's filings are the applicant's."""
SOURCE = "application.source"
"""Where an application came from (``FILED`` by the ministry, or through the API)."""


class ApplicationStore:
    """Applications of every contest."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["applications"]

    async def create_indexes(self) -> None:
        """Unique slot (one per applicant, nomination and contest) and the listing filters."""
        await self.collection.create_index([("slot", ASCENDING)], unique=True)
        await self.collection.create_index([("contest_id", ASCENDING), ("region_code", ASCENDING)])
        await self.collection.create_index([("owner", ASCENDING)])
        await self.collection.create_index([(IDENTIFIER, ASCENDING), (SOURCE, ASCENDING)])

    async def insert(self, application: Application, events: list[Envelope[Any]]) -> None:
        """Store a new application with its events; raises if its slot or id is taken."""
        document = with_outbox(_document(application, version=1), _entries(events))
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError as error:
            if await self.get(application.application_id) is not None:
                raise ApplicationIdTaken(application.application_id) from error
            raise ApplicationExists(application.slot) from error

    async def get(self, application_id: str) -> Application | None:
        """One application."""
        document = await self.collection.find_one({"_id": application_id})
        return None if document is None else _application(document)

    async def change(
        self,
        application_id: str,
        change: Callable[[Application], list[Envelope[Any]]],
    ) -> Application | None:
        """Apply ``change`` to the current application and store it with the events it returns.

        Retried from a fresh read when another write came first. ``None`` when there is no
        such application; a change that refuses raises ``Refused``.
        """
        while True:
            document = await self.collection.find_one({"_id": application_id})
            if document is None:
                return None
            application = _application(document)
            events = change(application)
            if not events and _document(application, document["version"]) == _bare(document):
                return application
            replacement = with_outbox(
                _document(application, version=document["version"] + 1)
                | {k: document[k] for k in (OUTBOX, PENDING, SINCE) if k in document},
                _entries(events),
            )
            try:
                result = await self.collection.replace_one(
                    {"_id": application_id, "version": document["version"]}, replacement
                )
            except DuplicateKeyError as error:
                raise Refused.of(
                    "application_exists",
                    "the applicant already has an application in this nomination",
                ) from error
            if result.matched_count == 1:
                return application

    async def page(
        self, where: ApplicationFilter, *, after: str | None, limit: int
    ) -> tuple[list[Application], str | None]:
        """A page of applications in id order (ids are time-ordered: oldest first), and the
        id to pass as ``after`` for the next page (None on the last page)."""
        query: Document = {"contest_id": where.contest_id}
        for field, value in (
            ("region_code", where.region_code),
            ("nomination_code", where.nomination_code),
            ("status", where.status.value if where.status else None),
            ("nomination_kind", where.nomination_kind.value if where.nomination_kind else None),
        ):
            if value is not None:
                query[field] = value
        if where.statuses is not None:
            query["status"] = {"$in": sorted(s.value for s in where.statuses)}
        if where.text is not None:
            # Escaped, so that the words are words: no pattern, no backtracking to exploit.
            pattern = {"$regex": re.escape(where.text), "$options": "i"}
            query["$or"] = [{field: pattern} for field in TEXT_FIELDS]
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.collection.find(query).sort("_id", ASCENDING).limit(limit + 1)
        found = [_application(document) async for document in cursor]
        more = len(found) > limit
        items = found[:limit]
        return items, items[-1].application_id if more else None

    async def of_applicant(self, subject: str, iin_bin: str | None) -> list[Application]:
        """Every application of one applicant (``Application.belongs_to``): those their
        token's ``subject`` created, and those the ministry filed for their ``iin_bin``.

        The filings are found when asked for, by a query on the applicant's identifier
        (indexed), rather than claimed for the account when the applicant signs in: that
        needs no write, and it cannot go stale, since a filing that arrives after the sign-in,
        or an applicant who signs in with another account of the same IIN/BIN, is matched the
        same way.
        """
        mine: list[Document] = [{"owner": subject, SOURCE: {"$ne": FILED}}]
        if iin_bin is not None:
            mine.append({IDENTIFIER: iin_bin, SOURCE: FILED})
        cursor = self.collection.find({"$or": mine}).sort("_id", ASCENDING)
        return [_application(document) async for document in cursor]

    async def submitted_statuses(self, contest_id: str) -> list[tuple[str, str, ApplicationStatus]]:
        """(region, nomination, status) of every application of a contest that left draft."""
        cursor = self.collection.find(
            {"contest_id": contest_id, "submitted": True},
            {"region_code": 1, "nomination_code": 1, "status": 1},
        )
        return [
            (d["region_code"], d["nomination_code"], ApplicationStatus(d["status"]))
            async for d in cursor
        ]

    async def ids_in(self, contest_id: str, statuses: frozenset[ApplicationStatus]) -> list[str]:
        """Ids of a contest's applications in one of ``statuses``."""
        cursor = self.collection.find(
            {"contest_id": contest_id, "status": {"$in": sorted(s.value for s in statuses)}},
            {"_id": 1},
        )
        return [d["_id"] async for d in cursor]


def _entries(events: list[Envelope[Any]]) -> list[Document]:
    return [outbox_entry(APPLICATIONS, envelope) for envelope in events]


def _document(application: Application, version: int) -> Document:
    return {
        "_id": application.application_id,
        "version": version,
        "slot": application.slot,
        "contest_id": application.contest_id,
        "region_code": application.form.region_code,
        "nomination_code": application.form.nomination_code,
        "nomination_kind": application.form.details.kind if application.form.details else None,
        "status": application.status.value,
        "submitted": application.submitted_at is not None,
        "owner": application.owner,
        "application": application.model_dump(mode="json"),
    }


def _bare(document: Document) -> Document:
    return {k: v for k, v in document.items() if k not in (OUTBOX, PENDING, SINCE)}


def _application(document: Document) -> Application:
    return Application.model_validate(document["application"])
