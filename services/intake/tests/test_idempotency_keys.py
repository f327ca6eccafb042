"""Idempotency keys bind a caller's key to its first request for 24 hours, then expire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contest_intake.store.requests import KEY_LIFETIME
from contest_runtime.mongo import stored_now


async def test_keys_have_a_ttl_index_and_bind_only_within_their_lifetime(intake: Any) -> None:
    keys = intake.office.keys
    indexes = [index async for index in await keys.collection.list_indexes()]
    [ttl] = [index for index in indexes if "expireAfterSeconds" in index]
    assert (dict(ttl["key"]), ttl["expireAfterSeconds"]) == ({"at": 1}, 24 * 3600)
    assert timedelta(hours=24) == KEY_LIFETIME

    now = stored_now()
    first = await keys.claim("ttl-caller", "k1", "first", "app-1", now)
    assert (first.fingerprint, first.application_id) == ("first", "app-1")
    within = await keys.claim("ttl-caller", "k1", "second", "app-2", now + timedelta(hours=23))
    assert (within.fingerprint, within.application_id) == ("first", "app-1")
    after = now + KEY_LIFETIME + timedelta(seconds=1)
    expired = await keys.claim("ttl-caller", "k1", "second", "app-2", after)
    assert (expired.fingerprint, expired.application_id) == ("second", "app-2")
    again = await keys.claim("ttl-caller", "k1", "third", "app-3", after + timedelta(minutes=1))
    assert (again.fingerprint, again.application_id) == ("second", "app-2")
