"""The ``public_votes`` collection: one document per contest with its choices (the finalists
per nomination, from ``contest.finalists.v1``, or the projects of the public gallery, from
``contest.applications.v1``), its close, and its certified tally.

Closing happens in steps, each a versioned write: ``closed_at`` (from then on no vote is
taken),
then ``closing_offsets`` (the end of the votes topic a grace period later: every vote
accepted before the close lies before it), then ``certified`` once counting has passed
those offsets, written with the ``StageClosed`` event in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from contest_contracts.events.judging import FinalistsSelected
from contest_runtime.mongo import Document, StoredTime
from contest_runtime.outbox import OUTBOX, PENDING, SINCE, change_with_outbox, with_outbox


class Choice(BaseModel):
    """A finalist (or gallery project) voters can choose."""

    application_id: str
    nomination_code: str
    region_code: str
    title: str
    display_name: str


class GalleryEntry(BaseModel):
    """An application as the gallery follows it: its latest revision, and whether it left
    the competition (withdrawn or screened ineligible), after which it is never a choice."""

    choice: Choice | None = None
    revision: int = 0
    left: bool = False


class PublicVote(BaseModel):
    """A contest's public vote."""

    contest_id: str
    choices: list[Choice] = []
    selected_at: StoredTime | None = None
    opened_at: StoredTime | None = None
    """When the vote's opening was announced (`StageOpened`); None until then."""
    closed_at: StoredTime | None = None
    closed_by: str | None = None
    closing_offsets: dict[str, int] | None = None
    """Partition → end offset of the votes topic to count through before certifying."""
    certified: dict[str, Any] | None = None
    """The contract's ``PublicVoteSummary`` (JSON), once certified."""
    gallery: dict[str, GalleryEntry] = {}
    """Application id → entry, where the choices are the gallery's projects."""
    version: int = 1

    def choices_in(self, nomination_code: str) -> list[Choice]:
        """The choices of one nomination."""
        return [c for c in self.choices if c.nomination_code == nomination_code]

    def nominations(self) -> list[str]:
        """Nominations with choices, in code order."""
        return sorted({c.nomination_code for c in self.choices})


Decision = Callable[[PublicVote], tuple[Document, list[Document]] | None]
"""Decides the fields to set on a vote and the outbox entries to add; None for no change."""


class PublicVotes:
    """Public votes of every contest."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["public_votes"]

    async def get(self, contest_id: str) -> PublicVote:
        """A contest's public vote (without choices until the finalists arrive)."""
        document = await self.collection.find_one({"_id": contest_id})
        return PublicVote(contest_id=contest_id) if document is None else _vote(document)

    async def all(self) -> list[PublicVote]:
        """Every contest's public vote (a handful per deployment)."""
        return [_vote(d) async for d in self.collection.find({})]

    async def keep_finalists(self, event: FinalistsSelected) -> None:
        """Take the finalists as the choices, unless a later list is held."""
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
        changes = {"choices": choices, "selected_at": event.selected_at}

        def newer(held: PublicVote) -> tuple[Document, list[Document]] | None:
            if held.selected_at is not None and held.selected_at >= event.selected_at:
                return None
            return changes, []

        fresh = PublicVote(contest_id=event.contest_id).model_dump()
        if not await self._insert({"_id": event.contest_id, **fresh, **changes}):
            await self.change(event.contest_id, newer)

    async def follow_gallery(
        self,
        contest_id: str,
        application_id: str,
        follow: Callable[[GalleryEntry], GalleryEntry],
    ) -> None:
        """Change one application's gallery entry with ``follow``; the choices become the
        entries still in the competition."""

        def decide(vote: PublicVote) -> tuple[Document, list[Document]] | None:
            held = vote.gallery.get(application_id, GalleryEntry())
            entry = follow(held)
            if entry == held:
                return None
            gallery = {**vote.gallery, application_id: entry}
            choices = sorted(
                (e.choice for e in gallery.values() if e.choice is not None and not e.left),
                key=lambda choice: choice.application_id,
            )
            return {
                "gallery": {a: e.model_dump() for a, e in gallery.items()},
                "choices": [c.model_dump() for c in choices],
            }, []

        # The vote exists once its first application arrived: try the change first; when
        # it did nothing, make sure the vote exists (another writer may create it first)
        # and decide again.
        if not await self.change(contest_id, decide):
            await self._insert(
                {"_id": contest_id, **PublicVote(contest_id=contest_id).model_dump()}
            )
            await self.change(contest_id, decide)

    async def change(self, contest_id: str, decide: Decision) -> bool:
        """Apply what ``decide`` makes of the vote as it is now, in one versioned write
        (decided again when another write came first); False when there is no such vote or
        ``decide`` changes nothing."""
        return await change_with_outbox(
            self.collection, contest_id, lambda document: decide(_vote(document))
        )

    async def _insert(self, document: Document) -> bool:
        try:
            await self.collection.insert_one(with_outbox(document, []))
        except DuplicateKeyError:
            return False
        return True


def _vote(document: Document) -> PublicVote:
    hidden = {"_id", OUTBOX, PENDING, SINCE}
    return PublicVote.model_validate({k: v for k, v in document.items() if k not in hidden})
