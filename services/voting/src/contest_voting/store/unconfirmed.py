"""Votes the broker did not confirm in time, kept until they are counted or refused.

A vote whose publish is not acknowledged within ``VOTING_PUBLISH_TIMEOUT_S`` may still reach
the broker: aiokafka holds the record in its queue and sends it when the broker answers
again. Such a vote is therefore neither refused nor forgotten. Its record is kept here, in
one document per receipt shaped as an outbox (``contest_runtime.outbox``), so the service's
relay sends it again until the broker acknowledges it (the tally counts a receipt once,
however often it arrives). The document says, meanwhile:

- to the receipt page, that the vote is pending;
- to every replica's vote path (read with the ballot rules), that the voter's seat in the
  nomination is taken;
- to the closing, that a vote cast before the close may still be on its way.

Once the record is in the broker and the tally has counted or refused the receipt, the
document has nothing left to say and is removed (``settle``).
"""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.events.voting import VoteCast
from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING, SINCE, with_outbox
from contest_voting.store.ballots import Ballots


class UnconfirmedVotes:
    """The ``unconfirmed_votes`` collection."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["unconfirmed_votes"]

    async def create_indexes(self) -> None:
        """A contest's unconfirmed votes (seats, closing); those sent (settling)."""
        await self.collection.create_index([("contest_id", ASCENDING), (PENDING, ASCENDING)])
        await self.collection.create_index([(PENDING, ASCENDING)])

    async def keep(self, vote: VoteCast, record: Document) -> None:
        """Keep a vote and its Kafka record (an ``outbox_entry``) until it is sent."""
        document = {
            "_id": vote.receipt_id,
            "version": 0,
            "contest_id": vote.contest_id,
            "nomination_code": vote.nomination_code,
            "voter_key": vote.voter_key,
            "cast_at": vote.cast_at,
        }
        await self.collection.insert_one(with_outbox(document, [record]))

    async def sent(self, receipt_id: str) -> None:
        """Note that the broker acknowledged the vote after all (its first publish): the
        relay need not send it again."""
        await self.collection.update_one(
            {"_id": receipt_id, PENDING: True},
            {"$set": {OUTBOX: [], PENDING: False, SINCE: None}, "$inc": {"version": 1}},
        )

    async def get(self, receipt_id: str) -> Document | None:
        """The kept vote of a receipt, if it is still kept."""
        return await self.collection.find_one({"_id": receipt_id}, {OUTBOX: 0})

    async def seats(self, contest_id: str) -> frozenset[tuple[str, str]]:
        """(nomination, voter) of every vote of the contest still kept: taken seats."""
        cursor = self.collection.find(
            {"contest_id": contest_id}, {"nomination_code": 1, "voter_key": 1}
        )
        return frozenset([(d["nomination_code"], d["voter_key"]) async for d in cursor])

    async def unsent(self, contest_id: str) -> int:
        """How many votes of the contest the broker has not acknowledged yet."""
        return await self.collection.count_documents({"contest_id": contest_id, PENDING: True})

    async def settle(self, ballots: Ballots, batch: int = 500) -> int:
        """Remove the kept votes that are in the broker and counted or refused by the tally;
        returns how many."""
        cursor = self.collection.find({PENDING: False}, {"_id": 1}).limit(batch)
        sent = [document["_id"] async for document in cursor]
        if not sent:
            return 0
        decided = {
            document["_id"]
            for store in (ballots.ballots, ballots.repeats)
            async for document in store.find({"_id": {"$in": sent}}, {"_id": 1})
        }
        if not decided:
            return 0
        result = await self.collection.delete_many({"_id": {"$in": list(decided)}})
        return result.deleted_count
