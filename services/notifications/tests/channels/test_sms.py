"""The SMS adapter speaks the provider API: the key as a bearer token, and none at all when
the key is empty (a provider on a trusted network, such as the local inbox)."""

from __future__ import annotations

import json

import httpx
import pytest

from contest_contracts.common import Language
from contest_notifications.channels.sms import SmsProvider
from contest_notifications.domain.templates import Message

CODE = Message(subject="Код", body="Ваш код: 482913", language=Language.RU)


@pytest.mark.parametrize(("api_key", "authorization"), [("key-1", "Bearer key-1"), ("", None)])
async def test_a_message_goes_to_the_provider_with_its_key_only_when_there_is_one(
    api_key: str, authorization: str | None
) -> None:
    received: list[httpx.Request] = []

    def provider(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(202, json={"accepted": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(provider)) as http:
        sms = SmsProvider(http, "http://provider.test/sms", api_key, "CONTEST")
        await sms.send("+77011234567", CODE, "code-1/sms/voter-1")

    (request,) = received
    assert request.headers.get("Authorization") == authorization
    assert json.loads(request.content) == {
        "to": "+77011234567",
        "from": "CONTEST",
        "text": "Ваш код: 482913",
        "client_ref": "code-1/sms/voter-1",
    }
