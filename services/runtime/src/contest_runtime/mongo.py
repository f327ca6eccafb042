"""MongoDB through PyMongo's async API (``AsyncMongoClient``, Motor's successor).

A client is bound to the event loop it was created on, so it is created inside a lifespan
or fixture, never at import time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator
from pymongo import AsyncMongoClient

Document = dict[str, Any]


def connect(uri: str, *, app_name: str, timeout_s: float = 5.0) -> AsyncMongoClient[Document]:
    """A client that returns timezone-aware UTC datetimes and fails fast when unreachable."""
    return AsyncMongoClient(
        uri,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=int(timeout_s * 1000),
        connectTimeoutMS=int(timeout_s * 1000),
    )


async def ping(client: AsyncMongoClient[Document]) -> None:
    """Raise unless the store answers."""
    await client.admin.command("ping")


def stored_now() -> datetime:
    """The current UTC time to the millisecond: MongoDB keeps milliseconds, and times in
    events and in the store must agree."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def as_utc(moment: datetime | str) -> datetime:
    """A time read back from the store, in UTC. MongoDB returns dates aware (see
    :func:`connect`); the embedded store returns some written by ``$set`` as text without a
    zone, which are UTC all the same (a model field gets them parsed, a raw read as text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """A time as a query compares it: epoch milliseconds compare the same in every
    MongoDB-protocol store, where dates written by ``$set`` may come back as text."""
    return int(moment.timestamp() * 1000)


StoredTime = Annotated[datetime, AfterValidator(as_utc)]
"""A model field for a time read back from the store (see :func:`as_utc`)."""
