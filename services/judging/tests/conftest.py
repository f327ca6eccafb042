"""Fixtures of the judging tests: a running judging service, and contests it knows of."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from fastapi import FastAPI
from httpx import AsyncClient

from contest_contracts.events.contest import ContestDefined, ContestDefinition
from contest_contracts.samples import DEFINITION
from contest_contracts.topics import CONTEST_DEFINITIONS
from contest_judging.app import create_app
from contest_judging.context import JudgingContext
from contest_judging.settings import JudgingSettings
from contest_runtime.auth import AuthSettings
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings


@dataclass
class RunningJudging:
    """A running judging service, an HTTP client to it, and a way to define contests."""

    app: FastAPI
    http: AsyncClient
    intake: EventPublisher

    @property
    def context(self) -> JudgingContext:
        """The service's stores (for looking behind the API in tests)."""
        context: JudgingContext = self.app.state.context
        return context

    async def define(
        self, eventually: Callable[..., Awaitable[None]], **changes: Any
    ) -> ContestDefinition:
        """Publish a contest definition as intake does and wait until judging holds it."""
        definition = DEFINITION.model_copy(
            update={"contest_id": f"contest-{uuid.uuid4().hex[:10]}", **changes}
        )
        await self.intake.publish(
            CONTEST_DEFINITIONS,
            ContestDefined(definition=definition, revision=1),
            subject=definition.contest_id,
        )
        await eventually(lambda: self.context.contests.get(definition.contest_id))
        return definition


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def judging(
    infra_settings: InfraSettings, auth_settings: AuthSettings, app_client: Any
) -> AsyncIterator[RunningJudging]:
    """One judging service for the judging tests, with a database of its own."""
    name = f"judging-{uuid.uuid4().hex[:8]}"
    settings = JudgingSettings(
        mongodb_database=name, consumer_group=name, infra=infra_settings, auth=auth_settings
    )
    broker = make_broker(infra_settings, client_id="intake-stand-in")
    await broker.start()
    app = create_app(settings)
    async with app_client(app) as http:
        yield RunningJudging(app, http, EventPublisher(broker, source="/contest/intake"))
    await broker.stop()
