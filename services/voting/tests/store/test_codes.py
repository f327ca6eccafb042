"""One-time codes on the real store: the right code is used up in one write, a wrong one
spends an attempt, and a code past its time or its attempts is dead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pymongo import AsyncMongoClient

from contest_runtime.mongo import Document
from contest_voting.domain.voters import code_digest
from contest_voting.store.verification import Codes

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def codes_in(mongo: AsyncMongoClient[Document], unique: Callable[[str], str]) -> Codes:
    codes = Codes(mongo[unique("codes")])
    await codes.create_indexes()
    return codes


async def test_the_right_code_works_once(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    codes = await codes_in(mongo, unique)
    await codes.issue("voter-a", code_digest("123456", "voter-a"), NOW + timedelta(minutes=5), 5)
    assert not await codes.redeem("voter-a", code_digest("654321", "voter-a"), NOW)
    assert not await codes.redeem("voter-b", code_digest("123456", "voter-a"), NOW)
    assert await codes.redeem("voter-a", code_digest("123456", "voter-a"), NOW)
    assert not await codes.redeem("voter-a", code_digest("123456", "voter-a"), NOW)
    assert await codes.spend_attempt("voter-a", NOW) is None


async def test_wrong_codes_spend_attempts_until_the_code_is_dead(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    codes = await codes_in(mongo, unique)
    right = code_digest("123456", "voter-a")
    await codes.issue("voter-a", right, NOW + timedelta(minutes=5), 3)
    # Concurrent wrong codes each spend their own attempt.
    left = await asyncio.gather(*(codes.spend_attempt("voter-a", NOW) for _ in range(3)))
    assert sorted(left) == [0, 1, 2]
    assert await codes.spend_attempt("voter-a", NOW) is None
    assert not await codes.redeem("voter-a", right, NOW)


async def test_a_code_past_its_time_is_dead_and_a_new_request_replaces_it(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    codes = await codes_in(mongo, unique)
    first = code_digest("111111", "voter-a")
    await codes.issue("voter-a", first, NOW + timedelta(minutes=5), 5)
    later = NOW + timedelta(minutes=5)
    assert not await codes.redeem("voter-a", first, later)
    assert await codes.spend_attempt("voter-a", later) is None

    second = code_digest("222222", "voter-a")
    await codes.issue("voter-a", second, later + timedelta(minutes=5), 5)
    assert not await codes.redeem("voter-a", first, later)
    assert await codes.redeem("voter-a", second, later)
