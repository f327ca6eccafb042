"""Voter verification on the real broker and store: a code goes out on the one-time-code
topic, a wrong code spends an attempt, the right one gives a voter token; requests are
limited per phone number and per client address (429 with Retry-After)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from contest_contracts.events.notifications import Channel, NotificationRequested
from contest_voting.domain.voters import voter_key

SECRET = b"voter-key-secret-of-the-voting-tests"


def a_phone() -> str:
    return f"+7701{random.randrange(10**7):07d}"


async def test_a_code_is_sent_by_sms_and_exchanged_for_a_voter_token(
    voting: Any, eventually: Any
) -> None:
    phone = a_phone()
    sent = await voting.http.post("/voters/codes", json={"phone": phone.replace("+7", "8 (")})
    assert sent.status_code == 202, sent.text
    await eventually(lambda: voting.code_sent_to(phone))
    (request,) = [
        e.data
        for e in voting.sms.events
        if isinstance(e.data, NotificationRequested) and e.data.recipient.address == phone
    ]
    assert request.channel == Channel.SMS
    assert request.essential is True
    assert request.template == "voter_code"

    code = voting.code_sent_to(phone)
    wrong = "000000" if code != "000000" else "111111"
    refused = await voting.http.post("/voters/tokens", json={"phone": phone, "code": wrong})
    assert refused.status_code == 401
    assert refused.json()["code"] == "wrong_code"
    assert "4 attempt(s) left" in refused.json()["detail"]

    token = await voting.http.post("/voters/tokens", json={"phone": phone, "code": code})
    assert token.status_code == 200, token.text
    assert token.json()["expires_in_s"] == 900
    again = await voting.http.post("/voters/tokens", json={"phone": phone, "code": code})
    assert again.json()["code"] == "code_expired"  # a code works once

    # The store knows the voter only by the keyed hash of the number.
    key = voter_key(phone, SECRET)
    assert await voting.context.codes.collection.find_one({"_id": key}) is None
    assert await voting.context.codes.collection.find_one({"phone": phone}) is None


async def test_a_code_is_dead_after_its_attempts(voting: Any, eventually: Any) -> None:
    phone = a_phone()
    await voting.http.post("/voters/codes", json={"phone": phone})
    await eventually(lambda: voting.code_sent_to(phone))
    code = voting.code_sent_to(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer = await voting.http.post("/voters/tokens", json={"phone": phone, "code": wrong})
        assert answer.json()["code"] == "wrong_code"
    late = await voting.http.post("/voters/tokens", json={"phone": phone, "code": code})
    assert late.status_code == 401
    assert late.json()["code"] == "code_expired"


async def test_code_requests_are_limited_per_phone_number(voting: Any) -> None:
    phone = a_phone()
    for _ in range(3):
        assert (await voting.http.post("/voters/codes", json={"phone": phone})).status_code == 202
    limited = await voting.http.post("/voters/codes", json={"phone": phone})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 3600
    assert (await voting.http.post("/voters/codes", json={"phone": a_phone()})).status_code == 202


async def test_code_requests_are_limited_per_client_address(voting: Any) -> None:
    context = voting.context
    limit = context.settings.codes_per_address_per_hour
    # Fill the address's window as earlier requests would have (the limit is large).
    now = context.clock()
    for _ in range(limit):
        await context.limits.spend("codes-per-address", "127.0.0.1", limit, timedelta(hours=1), now)
    limited = await voting.http.post("/voters/codes", json={"phone": a_phone()})
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    await context.limits.collection.delete_many({"_id": {"$regex": "^codes-per-address:"}})


async def test_a_number_that_is_not_a_kazakhstan_mobile_is_refused_and_nothing_is_sent(
    voting: Any,
) -> None:
    for phone in ("12345", "+7 701 123", "+1 202 555 0100", "+7 (727) 123-45-67"):
        answer = await voting.http.post("/voters/codes", json={"phone": phone})
        assert answer.status_code == 422, phone
        assert answer.json()["code"] == "invalid_phone"
    malformed = await voting.http.post("/voters/tokens", json={"phone": a_phone(), "code": "12"})
    assert malformed.status_code == 422
