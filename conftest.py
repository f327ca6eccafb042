"""Fixtures for every test: the real broker and store, found or started once per session.

See ``contest_local.infra`` for how they are found: environment, containers, or embedded
local processes on free loopback ports. Their logs stay in the session's temporary
directory, printed at the end when a test failed.
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from httpx import ASGITransport, AsyncClient
from pymongo import AsyncMongoClient

from contest_contracts.envelope import Envelope, EventData
from contest_contracts.topics import Cleanup, Topic, Visibility, topics_to_create
from contest_local.infra import EmbeddedProcesses, Endpoints, running_infrastructure
from contest_runtime.auth import AuthSettings, Role, mint
from contest_runtime.consumers import ConsumerOptions, DeadLetters, EventHandler, subscribe
from contest_runtime.kafka import ensure_topics, make_broker, start_broker, stop_broker
from contest_runtime.mongo import Document, connect
from contest_runtime.settings import InfraSettings

_INFRA_LOGS: list[Path] = []


@pytest.fixture(scope="session")
def embedded_processes() -> EmbeddedProcesses:
    """The local processes of this session (empty when the environment or containers serve)."""
    return EmbeddedProcesses()


@pytest.fixture(scope="session")
def infrastructure(
    tmp_path_factory: pytest.TempPathFactory, embedded_processes: EmbeddedProcesses
) -> Iterator[Endpoints]:
    """Kafka and MongoDB for the whole session, with every catalogue topic created."""
    workdir = tmp_path_factory.mktemp("infrastructure")
    _INFRA_LOGS.append(workdir)
    with running_infrastructure(workdir, processes=embedded_processes) as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def infra_settings(infrastructure: Endpoints) -> InfraSettings:
    """Service settings pointing at the session's broker and store."""
    return InfraSettings(
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        kafka_enable_idempotence=infrastructure.kafka_enable_idempotence,
        kafka_session_timeout_ms=infrastructure.kafka_session_timeout_ms,
        kafka_heartbeat_interval_ms=infrastructure.kafka_session_timeout_ms // 6,
        mongodb_uri=infrastructure.mongodb_uri,
        startup_timeout_s=90,
        kafka_join_timeout_s=15,
    )


@pytest.fixture(scope="session")
def auth_settings() -> AuthSettings:
    """Token verification of the services under test (HS256, a key of this session)."""
    return AuthSettings(jwt_key=secrets.token_urlsafe(32))


@pytest.fixture
def token(auth_settings: AuthSettings) -> Callable[..., str]:
    """``token(Role.OPERATOR, subject=..., region_code=..., iin_bin=...)``: a bearer token
    for tests."""

    def mint_for(
        *roles: Role,
        subject: str = "tester",
        region_code: str | None = None,
        iin_bin: str | None = None,
    ) -> str:
        return mint(
            auth_settings,
            subject=subject,
            roles=list(roles),
            region_code=region_code,
            iin_bin=iin_bin,
        )

    return mint_for


@pytest.fixture
def bearer(token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """``bearer(Role.OPERATOR, subject=...)``: the Authorization header of a test token."""
    return lambda *roles, **claims: {"Authorization": f"Bearer {token(*roles, **claims)}"}


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def mongo(infrastructure: Endpoints) -> AsyncIterator[AsyncMongoClient[Document]]:
    """A client of the session's store, bound to the session's event loop."""
    client = connect(infrastructure.mongodb_uri, app_name="tests")
    yield client
    await client.close()


async def _eventually(condition: Callable[[], Any], timeout_s: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        outcome = condition()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met in {timeout_s}s")
        await asyncio.sleep(0.05)


@pytest.fixture
def eventually() -> Callable[..., Awaitable[None]]:
    """``await eventually(lambda: ...)``: wait, bounded, until a condition (plain or awaitable)
    holds: the broker and the services are asynchronous by nature."""
    return _eventually


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Names that no other test uses: databases, groups, topics."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest_asyncio.fixture(loop_scope="session")
async def new_topic(
    infrastructure: Endpoints, unique: Callable[[str], str]
) -> Callable[..., Awaitable[Topic]]:
    """Create a fresh topic (and its dead-letter topic) shaped like a catalogue topic."""

    async def create(like: Topic, partitions: int | None = None) -> Topic:
        topic = Topic(
            name=unique("test.topic").replace("-", ".") + ".v1",
            partitions=partitions or like.partitions,
            key=like.key,
            cleanup=Cleanup.DELETE,
            events=like.events,
            producers=like.producers,
            consumers=like.consumers,
            visibility=Visibility.RESTRICTED,
            description=f"test copy of {like.name}",
        )
        await ensure_topics(infrastructure.kafka_bootstrap_servers, topics_to_create((topic,)))
        return topic

    return create


@pytest.fixture(scope="session")
def subscribed_broker(
    infra_settings: InfraSettings,
) -> Callable[..., KafkaBroker]:
    """A broker (not started) whose one subscriber consumes ``topic`` with ``handlers``."""

    def build(
        topic: Topic,
        handlers: Mapping[type[EventData], EventHandler],
        group: str,
        **options: Any,
    ) -> KafkaBroker:
        broker = make_broker(
            infra_settings,
            client_id=options.pop("client_id", "consumer"),
            graceful_timeout_s=options.pop("graceful_timeout_s", 15.0),
        )
        subscribe(
            broker,
            topic,
            handlers,
            options=ConsumerOptions(
                group_id=group,
                session_timeout_ms=infra_settings.kafka_session_timeout_ms,
                heartbeat_interval_ms=infra_settings.kafka_heartbeat_interval_ms,
                **options,
            ),
            dead_letters=DeadLetters(broker, consumer_group=group),
        )
        return broker

    return build


@dataclass
class EventRecorder:
    """Every event that arrived on some topics."""

    events: list[Envelope[Any]] = field(default_factory=list)

    async def record(self, envelope: Envelope[Any]) -> None:
        """Subscriber handler."""
        self.events.append(envelope)

    def of(self, model: type[EventData], subject: str) -> list[Envelope[Any]]:
        """Events of one type about one subject, in arrival order, each event once: delivery
        is at least once, and consumers deduplicate by event id as this does."""
        unique = {
            e.id: e for e in self.events if isinstance(e.data, model) and e.subject == subject
        }
        return list(unique.values())


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def recording(
    subscribed_broker: Callable[..., KafkaBroker],
) -> AsyncIterator[Callable[..., Awaitable[EventRecorder]]]:
    """``await recording(*topics)``: a recorder of every event on ``topics`` (from their
    beginning), consuming until the session ends."""
    brokers: list[KafkaBroker] = []

    async def start(*topics: Topic) -> EventRecorder:
        recorder = EventRecorder()
        # A group per topic: consumers of one group join one after the other, and each
        # join makes the embedded broker rebalance the whole group.
        started = [
            subscribed_broker(
                topic,
                {model: recorder.record for model in topic.events},
                group=f"recorder-{uuid.uuid4().hex[:8]}",
            )
            for topic in topics
        ]
        await asyncio.gather(*(start_broker(broker, timeout_s=60) for broker in started))
        brokers.extend(started)
        return recorder

    yield start
    for broker in brokers:
        await stop_broker(broker, timeout_s=30)


@asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """Run ``app``'s lifespan (real broker and store) and give an HTTP client to it."""
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@pytest.fixture(scope="session")
def app_client() -> Callable[[FastAPI], Any]:
    """``async with app_client(app) as http:`` runs a service app for one test."""
    return running_app


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int) -> None:
    """Point at the broker and store logs when something failed."""
    if exitstatus != 0 and _INFRA_LOGS:
        for directory in _INFRA_LOGS:
            terminalreporter.write_line(f"broker and store logs: {directory}")
