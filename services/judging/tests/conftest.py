"""Fixtures of the judging tests: a running judging service, the services around it played
by the tests (intake's and voting's events), and contests it knows of."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from fastapi import FastAPI
from httpx import AsyncClient
from judging_edition import ALMATY, REGIONAL_SCHEDULE, Edition

from contest_contracts.events.contest import ContestDefined, ContestDefinition, JudgingRules
from contest_contracts.samples import DEFINITION
from contest_contracts.topics import (
    ASSIGNMENTS,
    CONTEST_DEFINITIONS,
    FINALISTS,
    RESULTS,
    SCORES,
    STAGES,
)
from contest_judging.app import create_app
from contest_judging.context import JudgingContext
from contest_judging.settings import JudgingSettings
from contest_runtime.auth import AuthSettings, Role
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings


@dataclass
class RunningJudging:
    """A running judging service, an HTTP client to it, and the services around it."""

    app: FastAPI
    http: AsyncClient
    intake: EventPublisher
    voting: EventPublisher

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
        mongodb_database=name,
        consumer_group=name,
        outbox_interval_s=0.2,
        infra=infra_settings,
        auth=auth_settings,
    )
    broker = make_broker(infra_settings, client_id="intake-and-voting-stand-in")
    await broker.start()
    app = create_app(settings)
    async with app_client(app) as http:
        yield RunningJudging(
            app,
            http,
            EventPublisher(broker, source="/contest/intake"),
            EventPublisher(broker, source="/contest/voting"),
        )
    await broker.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def published(recording: Callable[..., Awaitable[Any]]) -> Any:
    """A recorder of judging's outbound topics."""
    return await recording(ASSIGNMENTS, SCORES, FINALISTS, STAGES, RESULTS)


@pytest_asyncio.fixture(loop_scope="session")
async def edition(
    judging: RunningJudging,
    bearer: Callable[..., dict[str, str]],
    eventually: Callable[..., Awaitable[None]],
) -> Edition:
    """A fresh contest in two regions (one nomination, two jurors per application, one
    finalist per region, places 1st x1 and 2nd x2, one special prize, one people's choice)."""
    return await _edition(judging, bearer, eventually, JudgingRules(jurors_per_application=2))


@pytest_asyncio.fixture(loop_scope="session")
async def edition_showing_scores(
    judging: RunningJudging,
    bearer: Callable[..., dict[str, str]],
    eventually: Callable[..., Awaitable[None]],
) -> Edition:
    """The same edition, in a contest that shows applicants their scores after a close."""
    rules = JudgingRules(jurors_per_application=2, scores_to_applicants=True)
    return await _edition(judging, bearer, eventually, rules)


async def _edition(
    judging: RunningJudging,
    bearer: Callable[..., dict[str, str]],
    eventually: Callable[..., Awaitable[None]],
    rules: JudgingRules,
) -> Edition:
    nomination = DEFINITION.nominations[0].model_copy(update={"finalists_per_region": 1})
    definition = await judging.define(
        eventually,
        nominations=[nomination],
        regions=[*DEFINITION.regions, DEFINITION.regions[0].model_copy(update={"code": ALMATY})],
        judging=rules,
        stages=[*DEFINITION.stages, REGIONAL_SCHEDULE],
        prizes=DEFINITION.prizes.model_copy(
            update={
                "places": DEFINITION.prizes.places[:2],
                "special_prizes": 1,
                "peoples_choice": 1,
            }
        ),
    )
    return Edition(judging, definition, bearer(Role.OPERATOR), bearer, eventually)
