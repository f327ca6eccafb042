"""The real store: unique indexes hold, duplicates raise, bulk inserts count exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError, DuplicateKeyError

from contest_runtime.mongo import Document

pytestmark = pytest.mark.infra


async def test_document_round_trips_and_a_duplicate_on_a_unique_index_raises(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    ballots = mongo[unique("store")]["ballots"]
    await ballots.create_index(
        [("contest_id", 1), ("nomination_code", 1), ("voter_key", 1)],
        unique=True,
        name="one_ballot_per_voter_and_nomination",
    )
    ballot = {
        "_id": "rcpt-1",
        "contest_id": "social-protection-2025",
        "nomination_code": "best-social-project",
        "voter_key": "a" * 64,
        "cast_at": datetime(2025, 10, 1, 12, 0, tzinfo=UTC),
    }
    await ballots.insert_one(dict(ballot))

    assert await ballots.find_one({"_id": "rcpt-1"}) == ballot
    with pytest.raises(DuplicateKeyError):
        await ballots.insert_one({**ballot, "_id": "rcpt-2"})
    assert await ballots.count_documents({}) == 1


async def test_unordered_bulk_insert_reports_duplicates_and_inserts_the_rest(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    ballots = mongo[unique("store")]["ballots"]
    await ballots.create_index([("voter_key", 1)], unique=True)
    await ballots.insert_one({"voter_key": "v1"})

    with pytest.raises(BulkWriteError) as caught:
        await ballots.insert_many(
            [{"voter_key": "v1"}, {"voter_key": "v2"}, {"voter_key": "v3"}], ordered=False
        )

    assert caught.value.details["nInserted"] == 2
    assert [e["code"] for e in caught.value.details["writeErrors"]] == [11000]
    assert await ballots.count_documents({}) == 3
