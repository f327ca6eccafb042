"""Ballots and tallies: counted exactly once, however often a vote is delivered.

- ``ballots``: one document per accepted vote, keyed by its receipt id, with a unique index
  on (contest, nomination, voter): a redelivered vote collides on its id, a second vote of
  the same voter on the unique index; neither is written twice.
- ``tally_shards``: ballots per choice and per partition of ``contest.votes.v1``. Only the
  one consumer that owns a partition writes its shards.
- ``repeated_votes``: receipts of votes refused because their voter had voted in the
  nomination already, so that the receipt can say so.
- ``tally_invalidations``: invalid ballots per choice (fraud invalidation). A choice's tally
  is the sum of its shards less its invalid ballots.

A batch is counted in three writes: the ballots (``tallied`` false), ``$inc`` of the shards
for the ballots that were new, then ``tallied`` true. A consumer that dies between them
leaves untallied ballots; before each batch, the owner of a partition recounts the shards
those ballots touch from the ballots themselves, so a tally always equals a recount.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from contest_runtime.mongo import Document
from contest_voting.domain.invalidation import ByVoter, Selection

_DUPLICATE_KEY = 11000
ChoiceKey = tuple[str, str, str]
"""(contest, nomination, application)."""


class Ballot(BaseModel):
    """An accepted vote."""

    receipt_id: str
    contest_id: str
    nomination_code: str
    application_id: str
    voter_key: str
    voter_key_version: int
    client_address: str
    cast_at: datetime
    partition: int
    valid: bool = True
    invalidation_id: str | None = None

    @property
    def choice(self) -> ChoiceKey:
        """What it counts for."""
        return self.contest_id, self.nomination_code, self.application_id


class Ballots:
    """The ``ballots`` and ``tally_shards`` collections."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.ballots: AsyncCollection[Document] = db["ballots"]
        self.shards: AsyncCollection[Document] = db["tally_shards"]
        self.progress: AsyncCollection[Document] = db["counting_progress"]
        self.invalid: AsyncCollection[Document] = db["tally_invalidations"]
        self.repeats: AsyncCollection[Document] = db["repeated_votes"]

    async def create_indexes(self) -> None:
        """One ballot per voter and nomination; untallied ballots of a partition; recounts."""
        await self.ballots.create_index(
            [("contest_id", ASCENDING), ("nomination_code", ASCENDING), ("voter_key", ASCENDING)],
            unique=True,
        )
        await self.ballots.create_index([("partition", ASCENDING), ("tallied", ASCENDING)])
        await self.ballots.create_index(
            [
                ("contest_id", ASCENDING),
                ("nomination_code", ASCENDING),
                ("application_id", ASCENDING),
            ]
        )
        await self.ballots.create_index([("contest_id", ASCENDING), ("voter_key", ASCENDING)])
        await self.ballots.create_index([("contest_id", ASCENDING), ("cast_at", ASCENDING)])
        for counters in (self.shards, self.invalid):
            await counters.create_index([("contest_id", ASCENDING), ("nomination_code", ASCENDING)])

    async def count(self, partition: int, ballots: list[Ballot]) -> int:
        """Count a batch of ballots from one partition; returns how many were new."""
        await self.recover(partition)
        unique = list({b.receipt_id: b for b in ballots}.values())
        if not unique:
            return 0
        documents = [
            {"_id": b.receipt_id, **b.model_dump(exclude={"receipt_id"}), "tallied": False}
            for b in unique
        ]
        refused: set[int] = set()
        try:
            await self.ballots.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            errors = error.details["writeErrors"]
            if any(e["code"] != _DUPLICATE_KEY for e in errors):
                raise
            refused = {e["index"] for e in errors}
        new = [b for i, b in enumerate(unique) if i not in refused]
        if refused:
            await self._note_repeats([b for i, b in enumerate(unique) if i in refused])
        for choice, n in Counter(b.choice for b in new).items():
            await self.shards.update_one(
                {"_id": _shard_id(choice, partition)},
                {"$inc": {"votes": n}, "$set": _shard_fields(choice, partition)},
                upsert=True,
            )
        if new:
            await self.ballots.update_many(
                {"_id": {"$in": [b.receipt_id for b in new]}}, {"$set": {"tallied": True}}
            )
        return len(new)

    async def recover(self, partition: int) -> None:
        """Recount the shards that untallied ballots of ``partition`` touch (left by a consumer
        that died mid-batch), then mark those ballots tallied."""
        cursor = self.ballots.find({"partition": partition, "tallied": False})
        stranded = [_ballot(d) async for d in cursor]
        for choice in {b.choice for b in stranded}:
            contest_id, nomination, application = choice
            votes = await self.ballots.count_documents(
                {
                    "contest_id": contest_id,
                    "nomination_code": nomination,
                    "application_id": application,
                    "partition": partition,
                }
            )
            await self.shards.update_one(
                {"_id": _shard_id(choice, partition)},
                {"$set": {"votes": votes, **_shard_fields(choice, partition)}},
                upsert=True,
            )
        if stranded:
            await self.ballots.update_many(
                {"_id": {"$in": [b.receipt_id for b in stranded]}}, {"$set": {"tallied": True}}
            )

    async def tally(self, contest_id: str, nomination_code: str) -> Counter[str]:
        """Votes per choice of a nomination: its shards less its invalid ballots."""
        counts: Counter[str] = Counter()
        nomination = {"contest_id": contest_id, "nomination_code": nomination_code}
        async for shard in self.shards.find(nomination):
            counts[shard["application_id"]] += int(shard["votes"])
        async for invalid in self.invalid.find(nomination):
            counts[invalid["application_id"]] -= int(invalid["ballots"])
        # A ballot invalidated between its write and its shard's increment is subtracted a
        # moment before it is added; unary + drops the negative count that shows meanwhile.
        return +counts

    async def invalidate(
        self, contest_id: str, selection: Selection, invalidation_id: str
    ) -> Counter[str]:
        """Make the selected ballots invalid; returns the newly invalid ones per nomination.

        Repeating an invalidation invalidates nothing more but repairs the counters of the
        choices it touches, so one cut short by a crash is completed by running it again.
        """
        selected = await self._selected(contest_id, selection)
        invalidated: Counter[str] = Counter()
        for nomination in {d["nomination_code"] for d in selected}:
            ids = [d["_id"] for d in selected if d["nomination_code"] == nomination]
            result = await self.ballots.update_many(
                {"_id": {"$in": ids}, "valid": True},
                {"$set": {"valid": False, "invalidation_id": invalidation_id}},
            )
            invalidated[nomination] += result.modified_count
        for choice in {(contest_id, d["nomination_code"], d["application_id"]) for d in selected}:
            await self._count_invalid(choice)
        return +invalidated

    async def would_invalidate(
        self, contest_id: str, selection: Selection
    ) -> dict[str, Counter[str]]:
        """Per nomination, the valid ballots per choice that ``selection`` would make invalid
        now; reads only (an operator's preview before deciding)."""
        would: dict[str, Counter[str]] = {}
        for document in await self._selected(contest_id, selection):
            if document["valid"]:
                nomination = would.setdefault(document["nomination_code"], Counter())
                nomination[document["application_id"]] += 1
        return would

    async def _selected(self, contest_id: str, selection: Selection) -> list[Document]:
        """The ballots of the contest that ``selection`` selects, valid or not."""
        query: Document = {"contest_id": contest_id}
        if isinstance(selection, ByVoter):
            query["voter_key"] = selection.voter_key
        else:
            query["cast_at"] = {"$gte": selection.cast_from, "$lt": selection.cast_until}
        fields = {"nomination_code": 1, "application_id": 1, "client_address": 1, "valid": 1}
        return [
            document
            async for document in self.ballots.find(query, fields)
            if isinstance(selection, ByVoter) or selection.covers(document["client_address"])
        ]

    async def _count_invalid(self, choice: ChoiceKey) -> None:
        contest_id, nomination, application = choice
        ballots = await self.ballots.count_documents(
            {
                "contest_id": contest_id,
                "nomination_code": nomination,
                "application_id": application,
                "valid": False,
            }
        )
        # Invalid ballots only ever grow: of two invalidations counting at once, the one
        # that counted last saw both, and $max keeps its number whatever order they write in.
        await self.invalid.update_one(
            {"_id": "/".join(choice)},
            {
                "$max": {"ballots": ballots},
                "$set": {
                    "contest_id": contest_id,
                    "nomination_code": nomination,
                    "application_id": application,
                },
            },
            upsert=True,
        )

    async def recount(self, contest_id: str, nomination_code: str) -> Counter[str]:
        """Votes per choice of a nomination, counted from the valid ballots themselves."""
        counts: Counter[str] = Counter()
        cursor = self.ballots.find(
            {"contest_id": contest_id, "nomination_code": nomination_code, "valid": True},
            {"application_id": 1},
        )
        async for ballot in cursor:
            counts[ballot["application_id"]] += 1
        return counts

    async def counted_through(self, partition: int, next_offset: int) -> None:
        """Note that every vote of ``partition`` before ``next_offset`` is counted."""
        # Only the partition's owner writes it: read, compare, write.
        held = await self.progress.find_one({"_id": partition})
        if held is None or int(held["next_offset"]) < next_offset:
            await self.progress.replace_one(
                {"_id": partition}, {"_id": partition, "next_offset": next_offset}, upsert=True
            )

    async def counted_offsets(self) -> dict[int, int]:
        """Partition → the offset counting has reached."""
        return {d["_id"]: int(d["next_offset"]) async for d in self.progress.find({})}

    async def get(self, receipt_id: str) -> Ballot | None:
        """The ballot of a receipt, once counted."""
        document = await self.ballots.find_one({"_id": receipt_id})
        return None if document is None else _ballot(document)

    async def _note_repeats(self, refused: list[Ballot]) -> None:
        # Refused either as a redelivery (its own ballot exists) or as a repeated vote.
        ids = [b.receipt_id for b in refused]
        delivered = {d["_id"] async for d in self.ballots.find({"_id": {"$in": ids}}, {"_id": 1})}
        repeats = [
            {"_id": b.receipt_id, "contest_id": b.contest_id, "nomination_code": b.nomination_code}
            for b in refused
            if b.receipt_id not in delivered
        ]
        if repeats:
            try:
                await self.repeats.insert_many(repeats, ordered=False)
            except BulkWriteError as error:
                if any(e["code"] != _DUPLICATE_KEY for e in error.details["writeErrors"]):
                    raise

    async def repeated(self, receipt_id: str) -> bool:
        """Whether the vote of a receipt was refused: its voter had voted already."""
        return await self.repeats.find_one({"_id": receipt_id}, {"_id": 1}) is not None


def _shard_id(choice: ChoiceKey, partition: int) -> str:
    return "/".join((*choice, str(partition)))


def _shard_fields(choice: ChoiceKey, partition: int) -> Document:
    contest_id, nomination, application = choice
    return {
        "contest_id": contest_id,
        "nomination_code": nomination,
        "application_id": application,
        "partition": partition,
    }


def _ballot(document: Document) -> Ballot:
    return Ballot(receipt_id=document["_id"], **document)
