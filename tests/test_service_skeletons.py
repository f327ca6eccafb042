"""Every service starts on the real broker and store, and the services that need contest
definitions keep their own copy from the definitions topic."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from contest_contracts.common import LocalizedText
from contest_contracts.events import ContestDefined, ContestUpdated
from contest_contracts.samples import DEFINITION
from contest_contracts.topics import CONTEST_DEFINITIONS
from contest_intake.app import create_app as intake_app
from contest_intake.settings import IntakeSettings
from contest_judging.app import create_app as judging_app
from contest_judging.settings import JudgingSettings
from contest_notifications.app import create_app as notifications_app
from contest_notifications.settings import NotificationsSettings
from contest_runtime.auth import AuthSettings
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.mongo import Document
from contest_runtime.settings import InfraSettings
from contest_voting.app import create_app as voting_app
from contest_voting.settings import VotingSettings

pytestmark = pytest.mark.infra

SERVICES: dict[str, tuple[Callable[[Any], FastAPI], type[Any]]] = {
    "intake": (intake_app, IntakeSettings),
    "judging": (judging_app, JudgingSettings),
    "voting": (voting_app, VotingSettings),
    "notifications": (notifications_app, NotificationsSettings),
}


def build(
    name: str, infra: InfraSettings, auth: AuthSettings, unique: Callable[[str], str]
) -> tuple[FastAPI, Any]:
    factory, settings_class = SERVICES[name]
    secrets = {"voter_key_secret": "v" * 32, "token_secret": "t" * 32} if name == "voting" else {}
    settings = settings_class(
        mongodb_database=unique(name),
        consumer_group=unique(name),
        infra=infra,
        auth=auth,
        **secrets,
    )
    return factory(settings), settings


@pytest.mark.parametrize("name", SERVICES)
async def test_service_is_ready_and_documents_its_api(
    name: str,
    infra_settings: InfraSettings,
    auth_settings: AuthSettings,
    unique: Callable[[str], str],
    app_client: Any,
) -> None:
    app, _ = build(name, infra_settings, auth_settings, unique)
    async with app_client(app) as http:
        assert (await http.get("/readyz")).json()["status"] == "ready"
        openapi = (await http.get("/openapi.json")).json()
        assert {"/healthz", "/readyz"} <= set(openapi["paths"])


@pytest.mark.parametrize("name", ["judging", "voting", "notifications"])
async def test_service_keeps_a_current_copy_of_contest_definitions(
    name: str,
    infra_settings: InfraSettings,
    auth_settings: AuthSettings,
    unique: Callable[[str], str],
    app_client: Any,
    mongo: AsyncMongoClient[Document],
    eventually: Callable[..., Awaitable[None]],
) -> None:
    app, settings = build(name, infra_settings, auth_settings, unique)
    contest_id = unique("contest")
    first = DEFINITION.model_copy(update={"contest_id": contest_id})
    second = first.model_copy(update={"title": LocalizedText(ru="Лучший социальный проект 2026")})
    copies = mongo[settings.mongodb_database]["contest_definitions"]

    async def revision() -> int | None:
        held = await copies.find_one({"_id": contest_id})
        return None if held is None else int(held["revision"])

    producer = make_broker(infra_settings, client_id="intake")
    async with app_client(app), producer:
        await producer.start()
        publisher = EventPublisher(producer, source="/contest/intake")
        await publisher.publish(
            CONTEST_DEFINITIONS, ContestDefined(definition=first, revision=1), subject=contest_id
        )
        await eventually(lambda: _equals(revision(), 1))
        await publisher.publish(
            CONTEST_DEFINITIONS, ContestUpdated(definition=second, revision=2), subject=contest_id
        )
        await eventually(lambda: _equals(revision(), 2))
    held = await copies.find_one({"_id": contest_id})
    assert held is not None and held["definition"]["title"]["ru"] == "Лучший социальный проект 2026"


async def _equals(value: Awaitable[Any], expected: Any) -> bool:
    return await value == expected
