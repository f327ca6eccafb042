"""Judging's copies of applications on the real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pymongo import AsyncMongoClient

from contest_contracts.events.applications import ScreeningDecision
from contest_judging.store.applications import ApplicationCopies
from contest_runtime.mongo import Document

SCREENED = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_a_screening_held_as_text_still_orders_later_decisions(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    """The embedded store hands back some times written by ``$set`` as zone-less text."""
    store = ApplicationCopies(mongo[unique("judging")])
    await store.collection.insert_one({"_id": "a-1", "screened_at": "2026-11-21T12:00:00"})
    earlier, later = SCREENED - timedelta(minutes=1), SCREENED + timedelta(minutes=1)
    assert not await store.screen("a-1", ScreeningDecision.INELIGIBLE, earlier)
    assert await store.screen("a-1", ScreeningDecision.ELIGIBLE, later)
    held = await store.collection.find_one({"_id": "a-1"})
    assert held is not None and held["decision"] == "eligible"
