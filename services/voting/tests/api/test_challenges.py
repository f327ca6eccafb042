"""The proof of work of code requests on the real broker and store: off by default; on, a
code is sent only for a signed, live challenge solved for that number, once; every refusal
is its problem, and a refused request spends nothing of the number's limit."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from pydantic import ValidationError

from contest_contracts.topics import NOTIFICATION_PRIORITY
from contest_runtime.auth import AuthSettings
from contest_runtime.settings import InfraSettings
from contest_voting.domain.challenges import issue_challenge, solve, work_done
from contest_voting.settings import VotingSettings

SECRET = "challenge-secret-of-the-voting-tests-0"
DIFFICULTY = 8
"""Enough to tell work from none (one nonce in 256 solves it); quick to solve here."""


def a_phone() -> str:
    return f"+7701{random.randrange(10**7):07d}"


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def challenged(
    infra_settings: InfraSettings,
    voting_on: Any,
    recording: Callable[..., Awaitable[Any]],
) -> AsyncIterator[Any]:
    """A voting service that asks for work."""
    sms = await recording(NOTIFICATION_PRIORITY)
    async with voting_on(
        infra_settings, sms, challenge_difficulty=DIFFICULTY, challenge_secret=SECRET
    ) as running:
        yield running


async def solved(voting: Any, phone: str) -> dict[str, str]:
    """A code request for ``phone`` with a challenge voting issued, solved."""
    issued = await voting.http.post("/voters/challenges")
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["difficulty"] == DIFFICULTY and body["expires_in_s"] == 300
    assert issued.headers["cache-control"] == "no-store"
    challenge = body["challenge"]
    return {"phone": phone, "challenge": challenge, "nonce": solve(challenge, phone, DIFFICULTY)}


async def test_off_by_default_no_work_is_asked_for(voting: Any, eventually: Any) -> None:
    assert VotingSettings.model_fields["challenge_difficulty"].default == 0
    issued = await voting.http.post("/voters/challenges")
    assert issued.status_code == 201
    assert issued.json() == {"challenge": None, "difficulty": 0, "expires_in_s": 0}
    phone = a_phone()
    assert (await voting.http.post("/voters/codes", json={"phone": phone})).status_code == 202
    await eventually(lambda: voting.code_sent_to(phone))


async def test_a_solved_challenge_buys_one_code_for_its_number(
    challenged: Any, eventually: Any
) -> None:
    phone = a_phone()
    request = await solved(challenged, phone)
    sent = await challenged.http.post("/voters/codes", json=request)
    assert sent.status_code == 202, sent.text
    await eventually(lambda: challenged.code_sent_to(phone))
    # The code it bought works as any other.
    code = challenged.code_sent_to(phone)
    token = await challenged.http.post("/voters/tokens", json={"phone": phone, "code": code})
    assert token.status_code == 200, token.text

    again = await challenged.http.post("/voters/codes", json=request)
    assert again.status_code == 409
    assert again.json()["code"] == "challenge_spent"
    assert again.headers["content-type"] == "application/problem+json"
    # The spent challenge is kept by its signature until it expires, never with the number.
    spent = await challenged.context.spent_challenges.collection.find_one(
        {"_id": request["challenge"].rsplit(".", 1)[1]}
    )
    assert spent is not None and set(spent) == {"_id", "expires_at"}


async def test_the_work_is_bound_to_the_number(challenged: Any) -> None:
    phone = a_phone()
    request = await solved(challenged, phone)
    other = next(
        p
        for p in (a_phone() for _ in range(100))
        if not work_done(request["challenge"], p, request["nonce"], DIFFICULTY)
    )
    answer = await challenged.http.post("/voters/codes", json={**request, "phone": other})
    assert answer.status_code == 422
    assert answer.json()["code"] == "challenge_unsolved"
    # Refused before it was spent: the number it was solved for still gets its code.
    assert (await challenged.http.post("/voters/codes", json=request)).status_code == 202


async def test_each_refusal_is_its_problem(challenged: Any) -> None:
    phone = a_phone()
    request = await solved(challenged, phone)
    nonce = int(request["nonce"])
    wrong = next(
        str(n)
        for n in range(nonce + 1, nonce + 10_000)
        if not work_done(request["challenge"], phone, str(n), DIFFICULTY)
    )
    late = issue_challenge(SECRET.encode(), DIFFICULTY, challenged.context.clock())
    forged = issue_challenge(
        b"not-voting-s-key-not-voting-s-key", DIFFICULTY, _in_minutes(challenged, 5)
    )
    easier = issue_challenge(SECRET.encode(), DIFFICULTY - 1, _in_minutes(challenged, 5))
    cases = [
        ({"phone": phone}, 428, "challenge_required"),
        ({"phone": phone, "challenge": request["challenge"]}, 428, "challenge_required"),
        ({"phone": phone, "nonce": "1"}, 428, "challenge_required"),
        ({**request, "nonce": wrong}, 422, "challenge_unsolved"),
        (
            {"phone": phone, "challenge": late, "nonce": solve(late, phone, DIFFICULTY)},
            422,
            "challenge_expired",
        ),
        (
            {"phone": phone, "challenge": forged, "nonce": solve(forged, phone, DIFFICULTY)},
            422,
            "challenge_expired",
        ),
        (
            {"phone": phone, "challenge": easier, "nonce": solve(easier, phone, DIFFICULTY - 1)},
            422,
            "challenge_expired",
        ),
        ({"phone": phone, "challenge": "not a challenge", "nonce": "1"}, 422, "challenge_expired"),
    ]
    for body, status, code in cases:
        answer = await challenged.http.post("/voters/codes", json=body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), body
        assert answer.headers["content-type"] == "application/problem+json"
    # A nonce that is no decimal number is refused by the request's validation.
    malformed = await challenged.http.post("/voters/codes", json={**request, "nonce": "0x1f"})
    assert malformed.status_code == 422 and malformed.json()["code"] == "validation_failed"
    # A number that is no mobile is told so first, whatever the challenge.
    landline = await challenged.http.post(
        "/voters/codes", json={**request, "phone": "+77271234567"}
    )
    assert landline.json()["code"] == "invalid_phone"


async def test_refused_work_spends_nothing_of_the_number_s_limit(challenged: Any) -> None:
    phone = a_phone()
    limit = challenged.context.settings.codes_per_phone_per_hour
    for _ in range(limit + 2):
        answer = await challenged.http.post("/voters/codes", json={"phone": phone})
        assert answer.json()["code"] == "challenge_required"
    for _ in range(limit):
        assert (
            await challenged.http.post("/voters/codes", json=await solved(challenged, phone))
        ).status_code == 202
    # Then the limit holds, work or not.
    limited = await challenged.http.post("/voters/codes", json=await solved(challenged, phone))
    assert limited.status_code == 429


async def test_the_openapi_document_names_each_refusal(challenged: Any) -> None:
    document = (await challenged.http.get("/openapi.json")).json()
    answers = document["paths"]["/voters/codes"]["post"]["responses"]
    for status, code in (
        ("409", "challenge_spent"),
        ("422", "challenge_unsolved"),
        ("422", "challenge_expired"),
        ("428", "challenge_required"),
    ):
        assert code in answers[status]["description"], (status, code)
        assert "application/problem+json" in answers[status]["content"]
    issuing = document["paths"]["/voters/challenges"]["post"]
    assert "Who may call: anyone" in issuing["summary"]
    body = document["components"]["schemas"]["CodeRequest"]["properties"]
    assert {"challenge", "nonce"} <= set(body)


def _in_minutes(voting: Any, minutes: int) -> Any:
    return voting.context.clock() + timedelta(minutes=minutes)


def test_a_difficulty_without_a_key_to_sign_with_is_refused_at_start(
    infra_settings: InfraSettings, auth_settings: AuthSettings
) -> None:
    secrets: dict[str, Any] = {
        "voter_key_secret": "v" * 32,
        "token_secret": "t" * 32,
        "infra": infra_settings,
        "auth": auth_settings,
    }
    with pytest.raises(ValidationError, match="VOTING_CHALLENGE_SECRET"):
        VotingSettings(**secrets, challenge_difficulty=16)
    with pytest.raises(ValidationError, match="VOTING_CHALLENGE_SECRET"):
        VotingSettings(**secrets, challenge_difficulty=16, challenge_secret="short")
    assert VotingSettings(**secrets).challenge_difficulty == 0
