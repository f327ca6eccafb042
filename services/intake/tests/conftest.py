"""Fixtures of the intake tests: a running intake service, contests whose submission window
is open now, valid application forms, and a recorder of the events intake publishes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from httpx import AsyncClient

from contest_contracts.topics import APPLICATIONS, CONTEST_DEFINITIONS, MINISTRY_ANSWERS, STAGES
from contest_intake.app import create_app
from contest_intake.judging import JudgingAssignments
from contest_intake.office import IntakeOffice
from contest_intake.settings import IntakeSettings
from contest_runtime.auth import AuthSettings
from contest_runtime.kafka import make_broker
from contest_runtime.settings import InfraSettings


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def published(recording: Callable[..., Awaitable[Any]]) -> Any:
    """A consumer of intake's outbound topics, recording what arrives."""
    return await recording(APPLICATIONS, CONTEST_DEFINITIONS, STAGES, MINISTRY_ANSWERS)


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def outside_broker(infra_settings: InfraSettings) -> AsyncIterator[KafkaBroker]:
    """A started broker for what other systems publish to intake (ministry, judging)."""
    broker = make_broker(infra_settings, client_id="outside")
    await broker.start()
    yield broker
    await broker.stop()


class JudgingStandIn:
    """Judging's assignment check as intake's tests need it: who is assigned is what a test
    says (``assign``), and judging can be made unreachable (``down``). The real check is
    proven against judging itself in the portal's juror tests."""

    def __init__(self) -> None:
        self.assigned: set[tuple[str, str]] = set()
        self.down = False

    def assign(self, headers: dict[str, str], application_id: str) -> None:
        """The juror with these request headers is assigned to the application now."""
        self.assigned.add((headers["Authorization"], application_id))

    def answer(self, request: httpx.Request) -> httpx.Response:
        """Judging's `GET /contests/{c}/assignments/mine/{a}`: 200 or 404, or no answer."""
        if self.down:
            raise httpx.ConnectError("judging is down", request=request)
        application_id = request.url.path.rsplit("/", 1)[-1]
        held = (request.headers.get("authorization", ""), application_id) in self.assigned
        return httpx.Response(200 if held else 404, json={"application_id": application_id})


@dataclass
class RunningIntake:
    """A running intake service and an HTTP client to it."""

    app: FastAPI
    http: AsyncClient
    settings: IntakeSettings
    judging: JudgingStandIn

    @property
    def office(self) -> IntakeOffice:
        """The service's office (for looking behind the API in tests)."""
        office: IntakeOffice = self.app.state.context
        return office


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def intake(
    infra_settings: InfraSettings, auth_settings: AuthSettings, app_client: Any
) -> AsyncIterator[RunningIntake]:
    """One intake service for the intake tests, with a database of its own; tests keep out
    of each other's way by using contests of their own."""
    name = f"intake-{uuid.uuid4().hex[:8]}"
    settings = IntakeSettings(
        mongodb_database=name,
        consumer_group=name,
        schedule_interval_s=0.2,
        outbox_interval_s=0.2,
        infra=infra_settings,
        auth=auth_settings,
    )
    judging = JudgingStandIn()
    transport = httpx.MockTransport(judging.answer)
    app = create_app(
        settings,
        JudgingAssignments(httpx.AsyncClient(transport=transport, base_url="http://judging")),
    )
    async with app_client(app) as http:
        yield RunningIntake(app, http, settings, judging)
